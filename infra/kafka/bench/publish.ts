// Publishes one message for bench-restart.sh.
import { KafkaBus, systemClock, createLogger, createMetrics } from '../../../shared/src/index.ts';
const [topic, value] = process.argv.slice(2);
const bus = new KafkaBus({
  brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(','),
  clientId: 'pub',
  partitions: 1,
  replicationFactor: 1,
  logger: createLogger('silent'),
  metrics: createMetrics({ defaultMetrics: false }),
  clock: systemClock,
});
await bus.publish(topic!, [{ key: 'k', value: value! }]);
await bus.close();
