// npm run kafka:durability — issue #35: on a three-broker cluster (infra/kafka/kafka.sh with
// KAFKA_NODES=3, on this machine), Earshot's bus creates its topics with three replicas and
// min.insync.replicas 2, publishes under load while one broker is killed (-9) and then a
// second, and the brokers are started again. Every publish the bus acknowledged must then
// be read back from the topic. Prints the figures; exits 1 when an acknowledged message is missing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import { KafkaBus, systemClock, createLogger, createMetrics, type BusMessage } from '../../shared/src/index.ts';
import { startLocalKafka, stopLocalKafka } from '../../services/cli/src/kafka-broker.ts';

const runDir = process.env.KAFKA_RUN_DIR ?? mkdtempSync(join(tmpdir(), 'earshot-cluster-'));
const env = { KAFKA_NODES: '3', KAFKA_PORT: process.env.KAFKA_PORT ?? '19400', KAFKA_RUN_DIR: runDir, KAFKA_HEAP: process.env.KAFKA_HEAP ?? '384m' };
const t0 = Date.now();
const at = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const say = (line: string) => process.stdout.write(`[${at()}] ${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const kill = (node: number) => {
  const pid = Number(readFileSync(join(runDir, `node-${node}`, 'kafka.pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  execFileSync('bash', ['-c', `while kill -0 ${pid} 2>/dev/null; do sleep 0.1; done`]);
};

const brokers = (await startLocalKafka(env)).split(',');
say(`cluster of ${brokers.length} brokers ready: ${brokers.join(',')}`);
const logger = createLogger(process.env.EARSHOT_LOG_LEVEL ?? 'error');
const bus = new KafkaBus({ brokers, clientId: 'durability', partitions: 6, logger, metrics: createMetrics({ defaultMetrics: false }), clock: systemClock });
const topic = `durability-${Date.now()}`;
let failed = false;
try {
  await bus.ensureTopics([topic]);
  const admin = new kafkajs.Kafka({ clientId: 'durability-check', brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }],
  });
  await admin.disconnect();
  const replicas = [...new Set(topics[0]!.partitions.map((p) => p.replicas.length))];
  const minInsync = resources[0]!.configEntries[0]?.configValue;
  say(`topic ${topic}: replicas per partition ${replicas.join('/')}, min.insync.replicas ${minInsync}`);
  if (replicas.join() !== '3' || minInsync !== '2') failed = true;

  // Publishers: batches of 50 distinct ids, four at a time, until told to stop.
  const acknowledged = new Set<string>();
  let refused = 0;
  let next = 0;
  let running = true;
  const publisher = async () => {
    while (running) {
      const ids = Array.from({ length: 50 }, () => `m${next++}`);
      try {
        await bus.publish(
          topic,
          ids.map((id) => ({ key: id, value: id })),
        );
        for (const id of ids) acknowledged.add(id);
      } catch {
        refused++;
        await sleep(200);
      }
    }
  };
  const publishers = Array.from({ length: 4 }, publisher);
  const phase = async (name: string, ms: number) => {
    const [a, r] = [acknowledged.size, refused];
    await sleep(ms);
    say(`${name}: ${acknowledged.size - a} acknowledged, ${refused - r} batches refused`);
  };
  await phase('three brokers', 5_000);
  kill(2);
  say('broker 2 killed (-9)');
  await phase('two brokers', 10_000);
  kill(3);
  say('broker 3 killed (-9)');
  await phase('one broker (below min.insync.replicas)', 8_000);
  await startLocalKafka(env);
  say('brokers 2 and 3 started again');
  await phase('three brokers again', 10_000);
  running = false;
  await Promise.all(publishers);

  // Everything acknowledged must be in the topic: read it all back with a fresh group.
  const seen = new Map<string, number>();
  const sub = await bus.subscribe({
    group: `${topic}.check`,
    topic,
    maxBatch: 5_000,
    maxWaitMs: 200,
    handler: async (messages: BusMessage[]) => {
      for (const m of messages) seen.set(m.value.toString(), (seen.get(m.value.toString()) ?? 0) + 1);
    },
  });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && [...acknowledged].some((id) => !seen.has(id))) await sleep(500);
  await sub.stop();
  const missing = [...acknowledged].filter((id) => !seen.has(id));
  const duplicated = [...seen.values()].filter((n) => n > 1).length;
  say(`acknowledged ${acknowledged.size}, read back ${seen.size} distinct (${duplicated} more than once), acknowledged but missing ${missing.length}`);
  if (missing.length > 0) failed = true;
} finally {
  await bus.close();
  await stopLocalKafka(env).catch(() => undefined);
  if (!process.env.KAFKA_RUN_DIR) rmSync(runDir, { recursive: true, force: true });
}
say(failed ? 'FAILED' : 'nothing acknowledged was lost');
process.exit(failed ? 1 : 0);
