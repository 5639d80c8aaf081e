import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@earshot/cli';
import { eventually, freshMetrics, quietLogger, tempDir, testConfig } from './helpers.js';
import { startFakeApi, type FakeApi } from './connectors/fake-api.js';
import { POLL_CASES, type Held } from './connectors/poll-sources.js';

/**
 * Engagement refresh, embedded: a connector re-reads the points of its recent Hacker
 * News mentions on its refresh schedule; the stored rows change in place, no row is
 * added, and the per-minute rollup still counts each mention once.
 */
describe('engagement refresh of recent mentions', () => {
  const dir = tempDir();
  const hn = POLL_CASES.find((c) => c.type === 'hackernews')!;
  const reddit = POLL_CASES.find((c) => c.type === 'reddit')!;
  const held: Held[] = [];
  const redditHeld: Held[] = [];
  let redditApi: FakeApi;
  const points = new Map<string, number>();
  let api: FakeApi;
  let rt: Runtime;
  const rows = async (sql: string) => (await rt.deps.store!.client.query({ query: sql, format: 'JSONEachRow' })).json<Record<string, string>>();

  beforeAll(async () => {
    for (let n = 0; n < 5; n++) {
      const t = Date.now() - 5 * 60_000 - n * 60_000;
      held.push({ n, t, raw: hn.item(n, t) });
      points.set(hn.id(n, t), 1);
    }
    api = await startFakeApi((req) => {
      const item = /^\/api\/v1\/items\/(\d+)$/.exec(req.path);
      if (item) return { json: { id: Number(item[1]), type: 'comment', author: 'x', points: points.get(item[1]!) ?? null, children: [{ id: 1 }, { id: 2 }] } };
      return hn.route(req, held, Date.now());
    });
    for (let n = 0; n < 3; n++) {
      const t = Date.now() - 5 * 60_000 - n * 60_000;
      redditHeld.push({ n, t, raw: reddit.item(n, t) });
    }
    redditApi = await startFakeApi((req) => reddit.route(req, redditHeld, Date.now()));
    const redditSource = { type: 'reddit', ...reddit.options(redditApi.url), refresh: { schedule: '*/1 * * * * *', hours: 6 } };
    const brands = join(dir.path, 'brands.yaml');
    writeFileSync(
      brands,
      `brands:\n  - id: acme\n    query: acme\n    sources:\n      - type: hackernews\n        query: acme\n        base_url: "${api.url}"\n        refresh: { schedule: "*/1 * * * * *", hours: 6 }\n      - ${JSON.stringify(redditSource)}\n`,
    );
    // The runtime reads connector secrets from the environment, as `npm start` does.
    Object.assign(process.env, reddit.env);
    rt = await startRuntime(testConfig({ EARSHOT_DATA_DIR: join(dir.path, 'data'), EARSHOT_BRANDS_FILE: brands }), {
      services: ['ingest', 'classifier', 'writer'],
      logger: quietLogger(),
      metrics: freshMetrics(),
    });
  });
  afterAll(async () => {
    await rt?.stop();
    await api?.close();
    await redditApi?.close();
    for (const name of Object.keys(reddit.env ?? {})) delete process.env[name];
    dir.remove();
  });

  it('updates the stored row in place; rollups count the mention once', async () => {
    await eventually(async () => Number((await rows("SELECT count() AS n FROM mentions WHERE source = 'hackernews'"))[0]!.n) === 5);
    const hot = hn.id(0, held[0]!.t);
    points.set(hot, 480);
    const row = await eventually(async () => {
      const [r] = await rows(`SELECT likes, replies, count() OVER () AS copies FROM mentions WHERE source = 'hackernews' AND id = '${hot}'`);
      return Number(r?.likes) === 480 ? r : undefined;
    });
    expect(row && Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]))).toEqual({ likes: 480, replies: 2, copies: 1 });
    expect(Number((await rows("SELECT count() AS n FROM mentions WHERE source = 'hackernews'"))[0]!.n)).toBe(5);
    expect(Number((await rows("SELECT sum(mentions) AS n FROM mention_stats_1m WHERE source = 'hackernews'"))[0]!.n)).toBe(5);
    expect(api.requests.some((r) => r.path === `/api/v1/items/${hot}`)).toBe(true);
  });

  // https://www.reddit.com/dev/api#GET_api_info lists a deleted post with author and text
  // "[deleted]" (removed ones "[removed]"); Reddit's Data API terms ask that such content
  // be deleted by those who stored it.
  it('a Reddit post deleted upstream is erased from the store at the next refresh; the others stay', async () => {
    await eventually(async () => Number((await rows("SELECT count() AS n FROM mentions WHERE source = 'reddit'"))[0]!.n) === 3);
    const gone = redditHeld[1]!;
    const data = (gone.raw as { data: Record<string, unknown> }).data;
    Object.assign(data, { author: '[deleted]', selftext: '[deleted]', author_fullname: undefined });
    await eventually(async () => Number((await rows("SELECT count() AS n FROM mentions WHERE source = 'reddit'"))[0]!.n) === 2);
    const left = (await rows("SELECT id FROM mentions WHERE source = 'reddit' ORDER BY id")).map((r) => r.id);
    expect(left).toEqual([reddit.id(0, redditHeld[0]!.t), reddit.id(2, redditHeld[2]!.t)].sort());
    // The copy customer care reads keeps nothing the mentions no longer hold.
    const copies = (await rows("SELECT DISTINCT id FROM care_messages WHERE source = 'reddit'")).map((r) => r.id);
    expect(copies.filter((id) => !left.includes(id))).toEqual([]);
    expect(redditApi.requests.some((r) => r.path === '/api/info')).toBe(true);
  });
});
