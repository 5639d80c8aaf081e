import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const KAFKA_SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../infra/kafka/kafka.sh');

/**
 * Starts the project's local Kafka broker (infra/kafka/kafka.sh: jars from Maven
 * Central, KRaft, loopback) unless one is running, and returns its address.
 */
export async function startLocalKafka(env: Record<string, string | undefined> = {}): Promise<string> {
  const { stdout } = await run('bash', [KAFKA_SCRIPT, 'start'], {
    env: { ...process.env, ...env },
    timeout: 600_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const address = stdout.trim().split('\n').pop();
  if (!address || !/^[\w.-]+:\d+$/.test(address)) throw new Error(`kafka.sh start printed no broker address: ${stdout}`);
  return address;
}

export async function stopLocalKafka(env: Record<string, string | undefined> = {}): Promise<void> {
  await run('bash', [KAFKA_SCRIPT, 'stop'], { env: { ...process.env, ...env }, timeout: 120_000 });
}
