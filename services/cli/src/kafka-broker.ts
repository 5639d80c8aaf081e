import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const KAFKA_SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../infra/kafka/kafka.sh');

/**
 * Starts the project's local Kafka broker (infra/kafka/kafka.sh: jars from Maven
 * Central, KRaft, loopback) unless one is running, and returns its address (with
 * KAFKA_NODES in `env`, a cluster's nodes not running, and every address, comma-separated).
 */
export async function startLocalKafka(env: Record<string, string | undefined> = {}): Promise<string> {
  const { stdout } = await run('bash', [KAFKA_SCRIPT, 'start'], {
    env: { ...process.env, ...env },
    timeout: 600_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const address = stdout.trim().split('\n').pop();
  // One address, or a cluster's (KAFKA_NODES), comma-separated.
  if (!address || !/^[\w.-]+:\d+(,[\w.-]+:\d+)*$/.test(address)) throw new Error(`kafka.sh start printed no broker address: ${stdout}`);
  return address;
}

export async function stopLocalKafka(env: Record<string, string | undefined> = {}): Promise<void> {
  await run('bash', [KAFKA_SCRIPT, 'stop'], { env: { ...process.env, ...env }, timeout: 120_000 });
}

/**
 * Apache Kafka's own perf tools (kafka-producer-perf-test, kafka-consumer-perf-test) on the
 * given brokers: `records` records of `bytes` bytes, produced with acks=all to a fresh topic
 * of `partitions` partitions, then consumed. Records a second, each way.
 */
export async function rawKafkaRates(brokers: string, records: number, bytes: number, partitions: number): Promise<{ produce: number; consume: number }> {
  const { stdout } = await run('bash', [KAFKA_SCRIPT, 'perf', brokers, String(records), String(bytes), String(partitions)], {
    timeout: 600_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const rate = (what: string) => Number(new RegExp(`^${what} ([0-9.]+)$`, 'm').exec(stdout)?.[1]);
  const out = { produce: rate('produce'), consume: rate('consume') };
  if (!Number.isFinite(out.produce) || !Number.isFinite(out.consume)) throw new Error(`kafka.sh perf printed no rates: ${stdout}`);
  return out;
}
