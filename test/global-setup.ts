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
 */
export default async function setup(project: TestProject) {
  const given = process.env.EARSHOT_TEST_KAFKA_BROKERS;
  if (given) {
    project.provide('kafkaBrokers', given);
    return;
  }
  const runDir = process.env.KAFKA_RUN_DIR;
  const alreadyRunning = await isRunning();
  const started = Date.now();
  const brokers = await startLocalKafka();
  if (!alreadyRunning) process.stderr.write(`[test] Kafka broker ${brokers} ready in ${((Date.now() - started) / 1000).toFixed(1)}s\n`);
  project.provide('kafkaBrokers', brokers);
  return async () => {
    if (!alreadyRunning) await stopLocalKafka(runDir ? { KAFKA_RUN_DIR: runDir } : {});
  };
}

async function isRunning(): Promise<boolean> {
  const { execFile } = await import('node:child_process');
  const { KAFKA_SCRIPT } = await import('../services/cli/src/kafka-broker.js');
  return new Promise((resolve) => execFile('bash', [KAFKA_SCRIPT, 'status'], (err) => resolve(!err)));
}
