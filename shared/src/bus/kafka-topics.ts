import type { Admin } from 'kafkajs';
import type { Logger } from '../logger.js';

/** Replicas of each partition Earshot asks for by default, and how many must have a write before it is acknowledged. */
export const DURABLE_REPLICAS = 3;
export const DURABLE_MIN_INSYNC = 2;

export interface TopicDurability {
  replicationFactor: number;
  /** Topic-level min.insync.replicas, or null to leave the broker's default (1). */
  minInsyncReplicas: number | null;
}

/**
 * What topics are created with on a cluster of `brokers` brokers: three replicas (fewer only
 * when there are fewer brokers) and, with three or more, min.insync.replicas 2, so a write
 * acknowledged with acks=all is on two brokers and one broker's loss loses nothing and stops
 * nothing. A replication factor set by hand is kept; min.insync.replicas then follows the
 * same rule (2 from three replicas up; with two, a second replica's loss would stop writes).
 */
export function topicDurability(brokers: number, replicationFactor?: number): TopicDurability {
  const rf = replicationFactor ?? Math.max(1, Math.min(DURABLE_REPLICAS, brokers));
  return { replicationFactor: rf, minInsyncReplicas: rf >= DURABLE_REPLICAS ? DURABLE_MIN_INSYNC : null };
}

/**
 * Creates the missing topics with topicDurability's settings, and says loudly (warn) when the
 * cluster is too small for them or an existing topic has fewer replicas than asked for:
 * Earshot does not change a topic it finds (kafka-reassign-partitions does).
 */
export async function ensureDurableTopics(
  admin: Admin,
  topics: string[],
  opts: { partitions: number; replicationFactor?: number | undefined; logger: Logger },
): Promise<TopicDurability> {
  const { brokers } = await admin.describeCluster();
  const durability = topicDurability(brokers.length, opts.replicationFactor);
  if (durability.replicationFactor < DURABLE_REPLICAS)
    opts.logger.warn(
      { brokers: brokers.length, replicationFactor: durability.replicationFactor },
      `NOT DURABLE: Earshot's Kafka topics have ${durability.replicationFactor} replica(s); a broker's disk lost loses acknowledged mentions, and a broker down stops intake. Run ${DURABLE_REPLICAS} or more brokers (topics then get ${DURABLE_REPLICAS} replicas and min.insync.replicas ${DURABLE_MIN_INSYNC})`,
    );
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: opts.partitions,
        replicationFactor: durability.replicationFactor,
        ...(durability.minInsyncReplicas === null ? {} : { configEntries: [{ name: 'min.insync.replicas', value: String(durability.minInsyncReplicas) }] }),
      })),
    });
    opts.logger.info({ topics: missing, partitions: opts.partitions, ...durability }, 'created Kafka topics');
  }
  const found = topics.filter((t) => existing.has(t));
  if (found.length > 0) {
    const { topics: described } = await admin.fetchTopicMetadata({ topics: found });
    const fewer = described
      .map((t) => ({ topic: t.name, replicas: Math.min(...t.partitions.map((p) => p.replicas.length)) }))
      .filter((t) => t.replicas < durability.replicationFactor);
    if (fewer.length > 0)
      opts.logger.warn(
        { topics: fewer, wanted: durability.replicationFactor },
        'existing Kafka topics have fewer replicas than Earshot asks for; it does not change them: raise them with kafka-reassign-partitions',
      );
  }
  return durability;
}
