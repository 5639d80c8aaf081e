import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@earshot/cli';
import { mention, tempDir, testConfig, overHttp } from './helpers.js';

interface Answer {
  accepted: number;
  rejected: { index: number; id?: string; reason: string }[];
}

/**
 * Issue #35 (defect 4): a created_at of 0001 or 9999 was accepted and counted in a
 * wrapped rollup minute decades away, and a lone surrogate was answered "accepted" then
 * dead-lettered by the writer. Both are now refused at the edge, item by item, with the
 * reason, while the good mentions around them are stored.
 */
describe('a mention the store cannot hold', () => {
  const dir = tempDir();
  let rt: Runtime;
  const post = async (body: string) => {
    const res = await fetch(`${rt.url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return { status: res.status, answer: (await res.json()) as Answer };
  };
  beforeAll(async () => {
    rt = await startRuntime(
      testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_BRANDS: 'acme=acme', EARSHOT_MAX_FUTURE_SECONDS: '3600' }),
      overHttp(['ingest', 'classifier', 'writer', 'api']),
    );
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('is rejected with the reason, and the good ones beside it are stored and counted once', async () => {
    const hours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
    const items = [
      mention({ id: 'good-1', text: 'acme is fine' }),
      mention({ id: 'year-1', text: 'acme', created_at: '0001-01-01T00:00:00Z' }),
      mention({ id: 'year-1899', text: 'acme', created_at: '1899-12-31T23:59:59Z' }),
      mention({ id: 'year-1999', text: 'acme', created_at: '1999-12-31T23:59:59.999Z' }),
      mention({ id: 'year-2300', text: 'acme', created_at: '2300-01-01T00:00:00Z' }),
      mention({ id: 'year-9999', text: 'acme', created_at: '9999-12-31T23:59:59Z' }),
      mention({ id: 'two-hours-ahead', text: 'acme', created_at: hours(2) }),
      mention({ id: 'lone-text', text: 'acme \ud800 broken' }),
      mention({ id: 'lone-name', text: 'acme', author: { id: 'u9', handle: 'u9', name: 'Ann \udc00' } }),
      mention({ id: 'lone-metadata', text: 'acme', metadata: { note: ['ok', 'x\ud83d'] } }),
      // A pair of surrogates is one code point (an emoji), well-formed.
      mention({ id: 'good-emoji', text: 'acme \ud83d\ude00', created_at: hours(0.5) }),
      mention({ id: 'good-2000', text: 'acme', created_at: '2000-01-01T00:00:00Z' }),
    ];
    // JSON.stringify writes a lone surrogate as the escape \ud800, as a client's JSON would.
    const { status, answer } = await post(JSON.stringify(items));
    expect(status).toBe(202);
    expect(answer.accepted).toBe(3);
    const reasons = Object.fromEntries(answer.rejected.map((r) => [r.id, r.reason]));
    expect(Object.keys(reasons).sort()).toEqual(
      ['lone-metadata', 'lone-name', 'lone-text', 'two-hours-ahead', 'year-1', 'year-1899', 'year-1999', 'year-2300', 'year-9999'].sort(),
    );
    for (const id of ['year-1', 'year-1899', 'year-1999', 'year-2300', 'year-9999'])
      expect(reasons[id]).toMatch(/created_at: must be between 2000-01-01T00:00:00Z and 2100-01-01T00:00:00Z/);
    expect(reasons['two-hours-ahead']).toMatch(/created_at: is more than 3600 s ahead of this server's clock \(EARSHOT_MAX_FUTURE_SECONDS\)/);
    expect(reasons['lone-text']).toMatch(/^text: is not well-formed Unicode/);
    expect(reasons['lone-name']).toMatch(/^author\.name: is not well-formed Unicode/);
    expect(reasons['lone-metadata']).toMatch(/^metadata: holds a string that is not well-formed Unicode/);
    expect(answer.rejected.find((r) => r.id === 'year-1')!.index).toBe(1);

    await rt.drain();
    const stored = (await (await fetch(`${rt.url}/v1/mentions?limit=100`)).json()) as { items: { id: string; text: string }[] };
    expect(stored.items.map((m) => m.id).sort()).toEqual(['good-1', 'good-2000', 'good-emoji']);
    expect(stored.items.find((m) => m.id === 'good-emoji')!.text).toBe('acme \ud83d\ude00');
    const metrics = await (await fetch(`${rt.url}/metrics`)).text();
    expect(metrics).not.toMatch(/^earshot_deadletter_total\{[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/earshot_ingest_rejected_total\{via="http",reason="schema"\} 9/);
  });

  it('a single out-of-range mention gets the same per-item answer', async () => {
    const { status, answer } = await post(JSON.stringify(mention({ id: 'alone', text: 'acme', created_at: '9999-01-01T00:00:00Z' })));
    expect(status).toBe(202);
    expect(answer).toMatchObject({
      accepted: 0,
      rejected: [expect.objectContaining({ index: 0, id: 'alone', reason: expect.stringMatching(/created_at: must be between/) })],
    });
  });
});
