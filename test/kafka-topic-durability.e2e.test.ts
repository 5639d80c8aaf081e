import { afterAll, describe, expect, inject, it } from 'vitest';
import { pino } from 'pino';
import kafkajs from 'kafkajs';
import { KafkaBus, systemClock } from '@earshot/shared';
import { freshMetrics } from './helpers.js';

/**
 * Issue #35, durability: the topics Earshot creates on the suite's single broker, read back
 * through Kafka's admin API, and the warning an operator sees because one broker cannot
 * hold the three replicas Earshot asks for.
 */
describe('Kafka topics on a cluster smaller than three brokers', () => {
  const brokers = String(inject('kafkaBrokers')).split(',');
  const topic = `t${Date.now()}-${process.pid}.durability`;
  const logged: { level: number; msg: string; [field: string]: unknown }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line) as (typeof logged)[number]) });
  const bus = new KafkaBus({ brokers, clientId: 'durability-test', partitions: 2, logger, metrics: freshMetrics(), clock: systemClock });
  const admin = new kafkajs.Kafka({ clientId: 'durability-check', brokers, logLevel: kafkajs.logLevel.NOTHING }).admin();
  afterAll(async () => {
    await admin.disconnect();
    await bus.close();
  });

  it('creates them with as many replicas as there are brokers and says loudly that they are not durable', async () => {
    await bus.ensureTopics([topic]);
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]!.partitions).toHaveLength(2);
    expect(topics[0]!.partitions.map((p) => p.replicas.length)).toEqual([1, 1]);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] }],
    });
    // Not set on the topic (configSource 1 is TOPIC_CONFIG): min.insync.replicas 2 on one replica would refuse every write.
    const minInsync = resources[0]!.configEntries.find((e) => e.configName === 'min.insync.replicas');
    expect(minInsync?.configValue).toBe('1');
    expect(minInsync?.configSource).not.toBe(1);
    const warning = logged.find((l) => l.level === 40 && l.msg.startsWith('NOT DURABLE'));
    expect(warning).toMatchObject({ brokers: 1, replicationFactor: 1 });
    expect(warning!.msg).toMatch(/Run 3 or more brokers/);
  });

  it('warns again at every start, and about a topic it finds with fewer replicas than asked for, which it leaves as it is', async () => {
    logged.length = 0;
    await bus.ensureTopics([topic]);
    expect(logged.filter((l) => l.level === 40 && l.msg.startsWith('NOT DURABLE'))).toHaveLength(1);
    expect(logged.filter((l) => l.msg === 'created Kafka topics')).toHaveLength(0);

    logged.length = 0;
    const asksTwo = new KafkaBus({
      brokers,
      clientId: 'durability-test',
      partitions: 2,
      replicationFactor: 2,
      logger,
      metrics: freshMetrics(),
      clock: systemClock,
    });
    try {
      await asksTwo.ensureTopics([topic]);
    } finally {
      await asksTwo.close();
    }
    expect(logged.find((l) => l.level === 40 && l.msg.startsWith('existing Kafka topics have fewer replicas'))).toMatchObject({
      topics: [{ topic, replicas: 1 }],
      wanted: 2,
    });
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(topics[0]!.partitions.map((p) => p.replicas.length)).toEqual([1, 1]);
  });
});
