import { join } from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../clock.js';
import type { Metrics } from '../metrics.js';
import type { Bus } from './types.js';
import { MemoryBus } from './memory-bus.js';
import { KafkaBus } from './kafka-bus.js';

/** Kafka when EARSHOT_KAFKA_BROKERS is set, the in-process bus otherwise: services never know which. */
export function createBus(config: Config, deps: { logger: Logger; metrics: Metrics; clock: Clock }): Bus {
  if (config.EARSHOT_KAFKA_BROKERS) {
    return new KafkaBus({
      brokers: config.EARSHOT_KAFKA_BROKERS,
      clientId: config.EARSHOT_KAFKA_CLIENT_ID,
      partitions: config.EARSHOT_TOPIC_PARTITIONS,
      ...(config.EARSHOT_TOPIC_REPLICATION === undefined ? {} : { replicationFactor: config.EARSHOT_TOPIC_REPLICATION }),
      sessionTimeoutMs: config.EARSHOT_KAFKA_SESSION_SECONDS * 1000,
      ...deps,
    });
  }
  return new MemoryBus({
    partitions: config.EARSHOT_TOPIC_PARTITIONS,
    capacity: config.EARSHOT_QUEUE_CAPACITY,
    ...(config.EARSHOT_QUEUE_STORAGE === 'disk' ? { dir: join(config.EARSHOT_DATA_DIR, 'bus') } : {}),
    ...deps,
  });
}
