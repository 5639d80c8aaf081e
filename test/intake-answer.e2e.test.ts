import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@earshot/cli';
import { replayFile } from '@earshot/ingest';
import { mention, metricValue, tempDir, testConfig, overHttp, freshMetrics } from './helpers.js';

interface Answer {
  accepted: number;
  duplicates: number;
  rejected: { index: number; id?: string; reason: string }[];
  rejected_total: number;
}

/**
 * Issue #35 (defect 7a, 7d, 7e): what intake answers and counts. A 100,000-item body made
 * a 34 MB answer; a mention sent twice in one request was counted as two accepted; a CSV
 * row with a quote never closed swallowed the rows after it.
 */
describe('what intake answers', () => {
  const dir = tempDir();
  const metrics = freshMetrics();
  let rt: Runtime;
  const post = async (body: string) => {
    const res = await fetch(`${rt.url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const text = await res.text();
    return { status: res.status, bytes: Buffer.byteLength(text), answer: JSON.parse(text) as Answer };
  };
  const count = async (sql: string, params: Record<string, unknown> = {}) => {
    const rows = await (await rt.deps.store!.client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<{ n: string }>();
    return Number(rows[0]?.n ?? 0);
  };
  beforeAll(async () => {
    rt = await startRuntime(
      testConfig({ EARSHOT_DATA_DIR: join(dir.path, 'data'), EARSHOT_BRANDS: 'acme=acme' }),
      overHttp(['ingest', 'classifier', 'writer', 'api'], { metrics }),
    );
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('lists the first 100 rejected items with their reasons and counts them all', async () => {
    // 100,000 unusable items in a 300 KB body, and one good one at the end.
    const items = [...Array.from({ length: 100_000 }, () => ({})), mention({ id: 'after-the-bad', source: 'capped', text: 'acme ok' })];
    const { status, bytes, answer } = await post(JSON.stringify(items));
    expect(status).toBe(202);
    expect(answer.accepted).toBe(1);
    expect(answer.rejected_total).toBe(100_000);
    expect(answer.rejected).toHaveLength(100);
    expect(answer.rejected.map((r) => r.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(answer.rejected[0]!.reason).toMatch(/^id: /);
    expect(bytes).toBeLessThan(100 * 1024);
    expect(await metricValue(metrics.registry, 'earshot_ingest_rejected_total', { via: 'http', reason: 'schema' })).toBe(100_000);
    await rt.drain();
    expect(await count("SELECT count() AS n FROM mentions WHERE source = 'capped'")).toBe(1);
  });

  it('counts a mention sent twice in one request once, and says so', async () => {
    const twice = mention({ id: 'twice', source: 'dup', text: 'acme twice' });
    const other = mention({ id: 'once', source: 'dup', text: 'acme once' });
    // The same id on another source is another mention.
    const elsewhere = { ...twice, source: 'dup2' };
    const before = await metricValue(metrics.registry, 'earshot_ingest_accepted_total', { via: 'http' });
    const { answer } = await post(JSON.stringify([twice, other, twice, elsewhere, twice]));
    expect(answer).toEqual({ accepted: 3, duplicates: 2, rejected: [], rejected_total: 0 });
    expect(await metricValue(metrics.registry, 'earshot_ingest_accepted_total', { via: 'http' })).toBe(before + 3);
    await rt.drain();
    expect(await count("SELECT count() AS n FROM mentions FINAL WHERE source IN ('dup', 'dup2')")).toBe(3);
    expect(await count("SELECT sum(mentions) AS n FROM mention_stats_1m WHERE source IN ('dup', 'dup2')")).toBe(3);
  });

  it('replays a CSV whose row never closes its quote: that row is dead-lettered by line, the rows after it land', async () => {
    const file = join(dir.path, 'stray-quote.csv');
    writeFileSync(
      file,
      [
        'id,source,text,created_at,author_id',
        'q-1,csvquote,"acme, quoted",2026-11-20T08:00:00Z,a1',
        'q-2,csvquote,"acme never closed,2026-11-20T08:01:00Z,a2',
        'q-3,csvquote,acme after the stray quote,2026-11-20T08:02:00Z,a3',
        'q-4,csvquote,"acme two',
        'lines",2026-11-20T08:03:00Z,a4',
        'q-5,csvquote,acme last,2026-11-20T08:04:00Z,a5',
      ].join('\n'),
    );
    const { ingestor, deadLetters } = rt.ingest!;
    expect(await replayFile(file, { ingestor, deadLetters })).toMatchObject({ accepted: 4, rejected: 1 });
    await rt.drain();
    const stored = (await (await fetch(`${rt.url}/v1/mentions?source=csvquote&limit=10`)).json()) as { items: { id: string; text: string }[] };
    expect(stored.items.map((m) => m.id).sort()).toEqual(['q-1', 'q-3', 'q-4', 'q-5']);
    expect(stored.items.find((m) => m.id === 'q-4')!.text).toBe('acme two\nlines');
    const letters = await (
      await rt.deps.store!.client.query({
        query: "SELECT reason FROM dead_letters WHERE stage = 'ingest.replay' AND origin LIKE '%stray-quote.csv'",
        format: 'JSONEachRow',
      })
    ).json<{ reason: string }>();
    // Its quote is closed only by the quote that opens q-4's text, two rows on.
    expect(letters).toEqual([{ reason: expect.stringMatching(/^line 3: not a CSV record: a quoted field is followed by "a"/) }]);
  });
});
