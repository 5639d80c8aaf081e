import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import { CLASSIFIER_GROUP } from '@earshot/classifier';
import { WRITER_GROUP } from '@earshot/writer';
import { topicName, mentionsEnrichedTopic, type Config } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { eventually, freshMetrics, mention, metricValue, quietLogger, tempDir, testConfig } from './helpers.js';

/**
 * Distributed mode against the real broker (started by global setup): services talk
 * only through Kafka topics, two classifier instances share one consumer group.
 */
describe('Kafka mode end to end', () => {
  const dir = tempDir();
  const prefix = `t${Date.now()}-${process.pid}.`;
  const config: Config = testConfig({
    EARSHOT_DATA_DIR: dir.path,
    EARSHOT_KAFKA_BROKERS: inject('kafkaBrokers'),
    EARSHOT_TOPIC_PREFIX: prefix,
    EARSHOT_TOPIC_PARTITIONS: '4',
    EARSHOT_BATCH_SIZE: '200',
  });
  const N = 2000;
  const classifierMetrics = [freshMetrics(), freshMetrics()];
  const writerMetrics = freshMetrics();
  let edge: Runtime;
  let writer: Runtime;
  const classifiers: Runtime[] = [];

  const storedCount = async (rt: Runtime, final = true) => {
    const rows = await (
      await rt.deps.store!.client.query({
        query: `SELECT count() AS n, countIf(model_name = 'earshot-linear-fast' AND sentiment_label != '') AS enriched FROM mentions ${final ? 'FINAL' : ''} WHERE source = 'kafka-e2e'`,
        format: 'JSONEachRow',
      })
    ).json<{ n: string; enriched: string }>();
    return { n: Number(rows[0]!.n), enriched: Number(rows[0]!.enriched) };
  };
  const rollupTotal = async (rt: Runtime) =>
    Number(
      (
        await (
          await rt.deps.store!.client.query({ query: "SELECT sum(mentions) AS n FROM mention_stats_1m WHERE source = 'kafka-e2e'", format: 'JSONEachRow' })
        ).json<{ n: string }>()
      )[0]!.n,
    );

  beforeAll(async () => {
    edge = await startRuntime(config, { services: ['ingest', 'api'], http: true, logger: quietLogger() });
    writer = await startRuntime(config, { services: ['writer'], metrics: writerMetrics, logger: quietLogger() });
    for (const metrics of classifierMetrics) classifiers.push(await startRuntime(config, { services: ['classifier'], metrics, logger: quietLogger() }));
  });
  afterAll(async () => {
    for (const rt of [...classifiers, writer, edge]) await rt?.stop();
    dir.remove();
  });

  it('stores every mention exactly once, enriched, with two classifiers sharing the work', async () => {
    expect(edge.deps.bus.kind).toBe('kafka');
    const mentions = Array.from({ length: N }, () => mention({ source: 'kafka-e2e' }));
    for (let i = 0; i < N; i += 500) {
      const res = await fetch(`${edge.url}/v1/mentions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(mentions.slice(i, i + 500)),
      });
      expect(res.status).toBe(202);
    }
    const done = await eventually(async () => (await storedCount(writer)).n >= N, { timeoutMs: 120_000, everyMs: 250 });
    expect(done).toBe(true);
    expect(await storedCount(writer, false)).toEqual({ n: N, enriched: N });
    expect(await rollupTotal(writer)).toBe(N);
    const perInstance = await Promise.all(classifierMetrics.map((m) => metricValue(m.registry, 'earshot_classifier_mentions_total')));
    expect(perInstance[0]).toBeGreaterThan(0);
    expect(perInstance[1]).toBeGreaterThan(0);
    expect(perInstance[0]! + perInstance[1]!).toBeGreaterThanOrEqual(N);
    const api = (await (await fetch(`${edge.url}/v1/mentions?source=kafka-e2e&limit=1000`)).json()) as {
      count: number;
      items: { sentiment: { label: string } }[];
    };
    expect(api.count).toBe(1000);
    expect(new Set(api.items.map((m) => m.sentiment.label))).toEqual(new Set(['negative', 'positive']));
  });

  it('counts nothing twice when Kafka redelivers everything to the writer', async () => {
    await writer.stop();
    // Rewind the writer's group to the beginning: every enriched mention arrives again.
    const kafka = new Kafka({ brokers: config.EARSHOT_KAFKA_BROKERS!, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const groupId = topicName(config, `${WRITER_GROUP}.mentions`);
    const topic = topicName(config, mentionsEnrichedTopic.name);
    const ends = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({ groupId, topic, partitions: ends.map((p) => ({ partition: p.partition, offset: p.low })) });
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(offsets[0]!.partitions.every((p) => p.offset === '0')).toBe(true);
    const redelivered = freshMetrics();
    writer = await startRuntime(config, { services: ['writer'], metrics: redelivered, logger: quietLogger() });
    const seen = await eventually(async () => (await metricValue(redelivered.registry, 'earshot_store_rows_duplicate_total')) >= N, {
      timeoutMs: 120_000,
      everyMs: 250,
    });
    expect(seen).toBe(true);
    expect(await storedCount(writer, false)).toEqual({ n: N, enriched: N });
    expect(await rollupTotal(writer)).toBe(N);
    // Offsets are committed only after the insert: the group is at the end again.
    const committed = await eventually(async () => {
      const after = await admin.fetchOffsets({ groupId, topics: [topic] });
      return after[0]!.partitions.every((p) => p.offset === ends.find((e) => e.partition === p.partition)!.high);
    });
    expect(committed).toBe(true);
    await admin.disconnect();
  });

  it('exposes the classifier group on the topics it created', async () => {
    const kafka = new Kafka({ brokers: config.EARSHOT_KAFKA_BROKERS!, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix)).sort();
    expect(topics).toEqual(
      [
        'earshot.alerts.v1',
        'earshot.deadletter.v1',
        'earshot.engagement.v1',
        'earshot.events.v1',
        'earshot.mentions.enriched.v1',
        'earshot.mentions.raw.v1',
      ].map((t) => prefix + t),
    );
    const meta = await admin.fetchTopicMetadata({ topics: [`${prefix}earshot.mentions.raw.v1`] });
    expect(meta.topics[0]!.partitions).toHaveLength(4);
    const group = await admin.describeGroups([topicName(config, CLASSIFIER_GROUP)]);
    expect(group.groups[0]!.members).toHaveLength(2);
    await admin.disconnect();
  });
});
