import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Config } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { eventually, freshMetrics, mention, metricValue, quietLogger, tempDir, testConfig } from './helpers.js';

/**
 * Writers joining and leaving the group while mentions stream (issue #18.3): each change
 * of membership moves partitions between writers, and a batch a leaving writer stored but
 * had not committed arrives again at the one taking over. Nothing may be stored or rolled
 * up twice. Real broker (global setup); the writers share one chDB store, as replicas
 * share a ClickHouse server.
 */
describe('two writers across group rebalances', () => {
  const dir = tempDir();
  const config: Config = testConfig({
    EARSHOT_DATA_DIR: dir.path,
    EARSHOT_KAFKA_BROKERS: inject('kafkaBrokers'),
    EARSHOT_TOPIC_PREFIX: `t${Date.now()}-${process.pid}.`,
    EARSHOT_TOPIC_PARTITIONS: '4',
    EARSHOT_BATCH_SIZE: '50',
  });
  let edge: Runtime;
  const writers: Runtime[] = [];
  const writerMetrics = [freshMetrics(), freshMetrics()];

  const query = async (sql: string) => (await (await edge.deps.store!.client.query({ query: sql, format: 'JSONEachRow' })).json<Record<string, string>>())[0]!;
  const stored = async () => {
    const r = await query("SELECT count() AS n, uniqExact(id) AS ids FROM mentions WHERE source = 'rebalance'");
    return { n: Number(r.n), ids: Number(r.ids) };
  };

  beforeAll(async () => {
    edge = await startRuntime(config, { services: ['ingest', 'classifier', 'api'], http: true, logger: quietLogger() });
    writers.push(await startRuntime(config, { services: ['writer'], metrics: writerMetrics[0], logger: quietLogger() }));
  });
  afterAll(async () => {
    for (const rt of [...writers, edge]) await rt?.stop();
    dir.remove();
  });

  it('stores and rolls up every mention exactly once while a second writer joins and the first leaves', async () => {
    const N = 3000;
    const items = Array.from({ length: N }, () => mention({ source: 'rebalance' }));
    const send = async (from: number, to: number) => {
      for (let i = from; i < to; i += 100) {
        const res = await fetch(`${edge.url}/v1/mentions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(items.slice(i, i + 100)),
        });
        expect(res.status).toBe(202);
      }
    };
    await send(0, 1000);
    await eventually(async () => (await stored()).n > 0, { timeoutMs: 60_000, everyMs: 100 });
    // A second writer joins mid-stream: the group rebalances and partitions move to it.
    const [, second] = await Promise.all([send(1000, 2000), startRuntime(config, { services: ['writer'], metrics: writerMetrics[1], logger: quietLogger() })]);
    writers.push(second);
    // The first leaves mid-stream: its partitions move back to the second.
    await Promise.all([send(2000, N), writers.shift()!.stop()]);
    expect(await eventually(async () => (await stored()).n >= N, { timeoutMs: 120_000, everyMs: 250 })).toBe(true);
    await new Promise((r) => setTimeout(r, 2_000)); // a batch stored twice would show here
    expect(await stored()).toEqual({ n: N, ids: N });
    const rollup = await query("SELECT sum(mentions) AS n FROM mention_stats_1m WHERE source = 'rebalance'");
    expect(Number(rollup.n)).toBe(N);
    // Both writers took part: the partitions really moved.
    const written = await Promise.all(writerMetrics.map((m) => metricValue(m.registry, 'earshot_store_rows_written_total', { table: 'mentions' })));
    expect(written[0]).toBeGreaterThan(0);
    expect(written[1]).toBeGreaterThan(0);
  });
});
