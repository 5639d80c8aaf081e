// One consumer-group member for bench-restart.sh: prints JOINED, then GOT <value> <ms> per message.
import { KafkaBus, systemClock, createLogger, createMetrics } from '../../../shared/src/index.ts';
const [topic, session] = process.argv.slice(2);
const bus = new KafkaBus({
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(','),
  clientId: 'probe',
  partitions: 1,
  replicationFactor: 1,
  logger: createLogger('silent'),
  metrics: createMetrics({ defaultMetrics: false }),
  clock: systemClock,
  sessionTimeoutMs: Number(session) * 1000,
});
await bus.ensureTopics([topic!]);
await bus.subscribe({
  group: `${topic}.g`,
  topic: topic!,
  maxBatch: 10,
  maxWaitMs: 100,
  handler: async (ms) => {
    for (const m of ms) console.log(`GOT ${m.value.toString()} ${Date.now()}`);
  },
});
console.log('JOINED', Date.now());
setInterval(() => undefined, 1000);
