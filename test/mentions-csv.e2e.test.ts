import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, type Mention } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { chunks } from '../services/ingest/src/connectors/text.js';
import { tempDir, testConfig, overHttp, postAndDrain } from './helpers.js';

const T = Date.UTC(2026, 10, 20, 8);
// More than one page of the store (5,000) and more than GET /v1/mentions's cap; many share a
// timestamp, so a page boundary falls inside a run of equal times.
const N = 5_230;

/** GET /v1/mentions.csv as a user downloads it: every match, as a spreadsheet opens it safely. */
describe('GET /v1/mentions.csv', () => {
  const dir = tempDir();
  let rt: Runtime;
  const get = (path: string) => fetch(`${rt.url}${path}`);

  beforeAll(async () => {
    rt = await startRuntime(
      testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_BRANDS: 'acme=acme;globex=globex' }),
      overHttp(['ingest', 'classifier', 'writer', 'api']),
    );
    const mentions: Mention[] = Array.from({ length: N }, (_, i) => ({
      id: `p${i}`,
      source: i % 3 ? 'twitter' : 'reddit',
      text: i % 2 ? `Acme plan number ${i} is great` : `Acme refund ${i}, "still" waiting, terrible`,
      created_at: new Date(T + Math.floor(i / 40) * 60_000).toISOString(),
      author: { id: `u${i}`, handle: `user${i}`, followers: i },
      lang: 'en',
    }));
    mentions.push(
      {
        id: 'f1',
        source: 'twitter',
        text: '=HYPERLINK("http://evil.example","Acme refund")',
        created_at: new Date(T).toISOString(),
        author: { id: 'x', handle: '@acme_hater', followers: 1 },
      },
      { id: 'g1', source: 'twitter', text: 'Globex coffee, fine', created_at: new Date(T).toISOString(), author: { id: 'y', handle: 'gx', followers: 1 } },
    );
    await postAndDrain(rt, chunks(mentions, 1000));
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('streams every mention of the brand, once each, past the 5,000 a page of GET /v1/mentions holds', async () => {
    const res = await get('/v1/mentions.csv?brand=acme');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="mentions-acme.csv"/);
    const [header, ...rows] = parseCsv(await res.text());
    expect(header!.slice(0, 4)).toEqual(['created_at', 'source', 'id', 'brands']);
    const ids = rows.map((r) => `${r[1]}:${r[2]}`);
    expect(ids).toHaveLength(N + 1);
    expect(new Set(ids).size).toBe(N + 1);
    expect(ids).not.toContain('twitter:g1');
    // Newest first, as the list is.
    const times = rows.map((r) => Date.parse(r[0]!));
    expect(times.every((t, i) => i === 0 || t <= times[i - 1]!)).toBe(true);
    // A quoted text survives the trip.
    const text = header!.indexOf('text');
    expect(rows.find((r) => r[2] === 'p0')![text]).toBe('Acme refund 0, "still" waiting, terrible');
  });

  it('neutralises a cell a spreadsheet would run as a formula', async () => {
    const [header, ...rows] = parseCsv(await (await get('/v1/mentions.csv?brand=acme&q=HYPERLINK')).text());
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row[header!.indexOf('text')]).toBe(`'=HYPERLINK("http://evil.example","Acme refund")`);
    expect(row[header!.indexOf('author_handle')]).toBe(`'@acme_hater`);
  });

  it('takes the filters of GET /v1/mentions and refuses a bad one with the reason', async () => {
    const listed = (await (await get('/v1/mentions?brand=acme&source=reddit&limit=5000')).json()) as { count: number };
    const [, ...rows] = parseCsv(await (await get('/v1/mentions.csv?brand=acme&source=reddit')).text());
    expect(rows).toHaveLength(listed.count);
    expect(rows.every((r) => r[1] === 'reddit')).toBe(true);
    const bad = await get('/v1/mentions.csv?sentiment=angry');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/sentiment/);
  });
});
