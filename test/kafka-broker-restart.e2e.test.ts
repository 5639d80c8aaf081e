import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { startLocalKafka, stopLocalKafka } from '../services/cli/src/kafka-broker.js';
import { eventually, mention, quietLogger, tempDir, testConfig } from './helpers.js';

/**
 * The Kafka broker killed (kill -9) under a running pipeline and started again: what was
 * acknowledged before is stored once, intake during the outage answers 503 with nothing
 * kept (the client retries), and the consumers come back by themselves. A private broker
 * (its own port and data) so the suite's shared one is not disturbed.
 */
describe('Kafka broker killed and restarted under a running pipeline', () => {
  const kafkaDir = tempDir('earshot-broker-');
  const dataDir = tempDir();
  const brokerEnv = { KAFKA_PORT: String(19300 + (process.pid % 200) * 2), KAFKA_RUN_DIR: kafkaDir.path };
  let config: Config;
  let rt: Runtime;

  const stored = async () => {
    const rows = await (
      await rt.deps.store!.client.query({
        query: "SELECT count() AS n, uniqExact(id) AS ids FROM mentions WHERE source = 'broker-restart'",
        format: 'JSONEachRow',
      })
    ).json<{ n: string; ids: string }>();
    return { n: Number(rows[0]!.n), ids: Number(rows[0]!.ids) };
  };
  const rollup = async () =>
    Number(
      (
        await (
          await rt.deps.store!.client.query({ query: "SELECT sum(mentions) AS n FROM mention_stats_1m WHERE source = 'broker-restart'", format: 'JSONEachRow' })
        ).json<{ n: string }>()
      )[0]!.n,
    );
  const post = (items: unknown[]) =>
    fetch(`${rt.url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(items) });
  const killBroker = () => {
    const pid = Number(readFileSync(join(kafkaDir.path, 'kafka.pid'), 'utf8'));
    process.kill(pid, 'SIGKILL');
    execFileSync('bash', ['-c', `while kill -0 ${pid} 2>/dev/null; do sleep 0.2; done`]);
  };

  beforeAll(async () => {
    const brokers = await startLocalKafka(brokerEnv);
    config = testConfig({
      EARSHOT_DATA_DIR: dataDir.path,
      EARSHOT_KAFKA_BROKERS: brokers,
      EARSHOT_TOPIC_PARTITIONS: '3',
      EARSHOT_BATCH_SIZE: '200',
    });
    rt = await startRuntime(config, { services: ['ingest', 'classifier', 'writer', 'api'], http: true, logger: quietLogger() });
  });
  afterAll(async () => {
    await rt?.stop();
    await stopLocalKafka(brokerEnv).catch(() => undefined);
    dataDir.remove();
    kafkaDir.remove();
  });

  it('stores every acknowledged mention once, answers 503 while the broker is down, and resumes after it is back', async () => {
    expect(rt.deps.bus.kind).toBe('kafka');
    const before = Array.from({ length: 500 }, () => mention({ source: 'broker-restart' }));
    expect((await post(before)).status).toBe(202);
    expect(await eventually(async () => (await stored()).n >= 500, { timeoutMs: 60_000, everyMs: 250 })).toBe(true);

    killBroker();
    const during = Array.from({ length: 100 }, () => mention({ source: 'broker-restart' }));
    const refused = await post(during);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect(((await refused.json()) as { error: string }).error).toMatch(/Kafka/);

    await startLocalKafka(brokerEnv);
    // The client retries what was refused, as the 503 asks, and sends more.
    const after = Array.from({ length: 500 }, () => mention({ source: 'broker-restart' }));
    const retried = await eventually(async () => (await post(during)).status === 202, { timeoutMs: 60_000, everyMs: 1_000 });
    expect(retried).toBe(true);
    expect((await post(after)).status).toBe(202);
    const all = await eventually(async () => (await stored()).n >= 1100, { timeoutMs: 120_000, everyMs: 500 });
    expect(all).toBe(true);
    await new Promise((r) => setTimeout(r, 2_000)); // a redelivered batch stored twice would show here
    expect(await stored()).toEqual({ n: 1100, ids: 1100 });
    expect(await rollup()).toBe(1100);
    const health = await eventually(async () => (await fetch(`${rt.url}/healthz`)).status === 200, { timeoutMs: 60_000, everyMs: 1_000 });
    expect(health).toBe(true);
  });
});
