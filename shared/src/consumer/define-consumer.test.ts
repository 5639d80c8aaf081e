import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory-bus.js';
import { createLogger } from '../logger.js';
import { createMetrics } from '../metrics.js';
import { systemClock } from '../clock.js';
import { loadConfig } from '../config.js';
import { eventsTopic } from '../topics/index.js';
import { topicMessage } from '../topics/topic.js';
import type { CampaignEvent, DeadLetter } from '../schemas.js';
import { DeadLetters } from './dead-letters.js';
import { deadLetter, defineConsumer, drop, ok, runConsumer, type ConsumerDefinition } from './define-consumer.js';

const event = (id: string, title: string): CampaignEvent => eventsTopic.schema.parse({ ...eventsTopic.examples[0], id, title });

const NODE = { name: 'test.events', service: 'test', topic: eventsTopic, group: 'test-group', stages: ['check', 'store'] } as const;

/** A bus, a consumer of the events topic built from `stages`, and what reached the dead-letter topic. */
async function harness(define: (node: typeof NODE) => ConsumerDefinition) {
  const metrics = createMetrics({ defaultMetrics: false });
  const bus = new MemoryBus({ partitions: 2, capacity: 10_000, logger: createLogger('silent'), metrics, clock: systemClock });
  const config = loadConfig({ EARSHOT_BATCH_WAIT_MS: '5' });
  const deadLetters = new DeadLetters({ bus, clock: systemClock, logger: createLogger('silent'), metrics, topicName: 'dlq' });
  const letters: DeadLetter[] = [];
  await bus.subscribe({
    group: 'dlq-reader',
    topic: 'dlq',
    maxBatch: 100,
    maxWaitMs: 0,
    handler: async (ms) => void letters.push(...ms.map((m) => JSON.parse(m.value.toString()))),
  });
  const subscription = await runConsumer(define(NODE), { bus, config, clock: systemClock, metrics, deadLetters, logger: createLogger('silent') });
  return { bus, metrics, letters, subscription, topic: eventsTopic.name };
}

describe('defineConsumer and its runner', () => {
  it('decodes against the topic schema, runs the stages in order, dead-letters refusals with their stage and counts drops', async () => {
    const stored: string[] = [];
    const h = await harness((node) =>
      defineConsumer(node, [
        (events) => events.map((e) => (e.title === 'bad' ? deadLetter('title is bad') : e.title === 'skip' ? drop('not wanted') : ok(e.id))),
        async (ids) => {
          stored.push(...ids);
          return ids.map(ok);
        },
      ]),
    );
    await h.bus.publish(h.topic, [
      topicMessage(eventsTopic, event('e1', 'launch')),
      { key: 'x', value: '{"not":"an event"}' },
      topicMessage(eventsTopic, event('e2', 'bad')),
      topicMessage(eventsTopic, event('e3', 'skip')),
      topicMessage(eventsTopic, event('e4', 'sale')),
    ]);
    expect(await h.bus.whenIdle(5000)).toBe(true);
    expect(stored.sort()).toEqual(['e1', 'e4']);
    const byStage = Object.fromEntries(h.letters.map((l) => [l.stage, l.reason]));
    expect(Object.keys(byStage).sort()).toEqual(['test.events.check', 'test.events.decode']);
    expect(byStage['test.events.check']).toBe('title is bad');
    const dropped = (await h.metrics.registry.getSingleMetric('earshot_consumer_dropped_total')!.get()).values;
    expect(dropped).toEqual([expect.objectContaining({ value: 1, labels: { consumer: 'test.events', stage: 'check' } })]);
    const timed = (await h.metrics.registry.getSingleMetric('earshot_consumer_stage_seconds')!.get()).values.filter((v) =>
      (v as { metricName?: string }).metricName?.endsWith('_count'),
    );
    expect(timed.map((v) => v.labels.stage).sort()).toEqual(['check', 'store']);
    await h.subscription.stop();
    await h.bus.close();
  });

  it('a stage that throws fails the batch, which is delivered again and not committed', async () => {
    let attempts = 0;
    const stored: string[] = [];
    const h = await harness((node) =>
      defineConsumer(node, [
        (events) => events.map((e) => ok(e.id)),
        async (ids) => {
          if (++attempts === 1) throw new Error('store down');
          stored.push(...ids);
          return ids.map(ok);
        },
      ]),
    );
    await h.bus.publish(h.topic, [topicMessage(eventsTopic, event('e1', 'launch'))]);
    expect(await h.bus.whenIdle(10_000)).toBe(true);
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(stored).toEqual(['e1']);
    await h.subscription.stop();
    await h.bus.close();
  });

  it('refuses a definition whose stages do not match the stream graph', () => {
    expect(() => defineConsumer(NODE, [(events) => events.map(ok)])).toThrow(/names 2 stages \(check, store\), 1 given/);
  });
});
