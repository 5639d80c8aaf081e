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
  const held: Held[] = [];
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
    const brands = join(dir.path, 'brands.yaml');
    writeFileSync(brands, `brands:\n  - id: acme\n    query: acme\n    sources:\n      - type: hackernews\n        query: acme\n        base_url: "${api.url}"\n        refresh: { schedule: "*/1 * * * * *", hours: 6 }\n`);
    rt = await startRuntime(testConfig({ EARSHOT_DATA_DIR: join(dir.path, 'data'), EARSHOT_BRANDS_FILE: brands }), {
      services: ['ingest', 'classifier', 'writer'],
      logger: quietLogger(),
      metrics: freshMetrics(),
    });
  });
  afterAll(async () => {
    await rt?.stop();
    await api?.close();
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
});
