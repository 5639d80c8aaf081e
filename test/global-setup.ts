import { createServer } from 'node:net';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalKafka, stopLocalKafka } from '../services/cli/src/kafka-broker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
  }
}

/**
 * Gives the Kafka-mode tests a real broker: EARSHOT_TEST_KAFKA_BROKERS when set,
 * otherwise the project's own (infra/kafka/kafka.sh), started here and stopped after.
 * When its port is held by something else, the test broker takes a free one of its own
 * rather than failing the whole run.
 */
export default async function setup(project: TestProject) {
  const given = process.env.EARSHOT_TEST_KAFKA_BROKERS;
  if (given) {
    project.provide('kafkaBrokers', given);
    return;
  }
  const env: Record<string, string> = {};
  const alreadyRunning = await isRunning(env);
  const port = Number(process.env.KAFKA_PORT ?? 19092);
  if (!alreadyRunning && !(await portsFree(port))) {
    const free = await freePortPair();
    env.KAFKA_PORT = String(free);
    env.KAFKA_RUN_DIR = join(process.env.KAFKA_RUN_DIR ?? join(import.meta.dirname, '../infra/kafka/.run'), `port-${free}`);
    process.stderr.write(`[test] port ${port} or ${port + 1} is taken by another process: the test broker uses ${free} (set KAFKA_PORT to choose)\n`);
  }
  const started = Date.now();
  let brokers: string;
  try {
    brokers = await startLocalKafka(env);
  } catch (err) {
    // execFile's message buries kafka.sh's own reason under the command line: lead with it.
    const reason = String((err as { stderr?: string }).stderr ?? '')
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('[kafka]'))
      .pop();
    throw new Error(`the test Kafka broker did not start: ${reason ?? (err as Error).message} (or set EARSHOT_TEST_KAFKA_BROKERS=host:port)`, { cause: err });
  }
  if (!alreadyRunning) process.stderr.write(`[test] Kafka broker ${brokers} ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  project.provide('kafkaBrokers', brokers);
  return async () => {
    if (!alreadyRunning) await stopLocalKafka({ ...(process.env.KAFKA_RUN_DIR ? { KAFKA_RUN_DIR: process.env.KAFKA_RUN_DIR } : {}), ...env });
  };
}

async function isRunning(env: Record<string, string>): Promise<boolean> {
  const { execFile } = await import('node:child_process');
  const { KAFKA_SCRIPT } = await import('../services/cli/src/kafka-broker.js');
  return new Promise((resolve) => execFile('bash', [KAFKA_SCRIPT, 'status'], { env: { ...process.env, ...env } }, (err) => resolve(!err)));
}

/** The broker's client port and its controller port (port + 1) both free on loopback. */
async function portsFree(port: number): Promise<boolean> {
  return (await canListen(port)) && (await canListen(port + 1));
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function freePortPair(): Promise<number> {
  for (let port = 19200; port < 19998; port += 2) if (await portsFree(port)) return port;
  throw new Error('no free pair of loopback ports between 19200 and 19999 for the test Kafka broker: set EARSHOT_TEST_KAFKA_BROKERS=host:port');
}
