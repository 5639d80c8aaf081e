import {
  CampaignEventRowSchema,
  DeadLetterRowSchema,
  createDeadLetters,
  MentionRowSchema,
  MentionTable,
  StoreDiskHealth,
  TableInserter,
  WriteJournal,
  consumerHealth,
  deadLetterTopic,
  engagementTopic,
  eventsTopic,
  mentionsEnrichedTopic,
  requireStore,
  topicName,
  type Deps,
  type Service,
  type Subscription,
} from '@earshot/shared';
import { createMentionWriteHandler, type StoredListener } from './mention-writer.js';
import { createDeadLetterWriteHandler, createEventWriteHandler } from './simple-writers.js';
import { createEngagementWriteHandler } from './engagement-writer.js';

export { storedAndErased } from './existing-keys.js';
export { createMentionWriteHandler, type StoredListener } from './mention-writer.js';

export const WRITER_GROUP = 'earshot-writer';

/**
 * The writer: enriched mentions, campaign events and dead letters into ClickHouse, and
 * engagement refreshes onto stored mentions,
 * batched, idempotent, committing only what ClickHouse acknowledged.
 */
export function createWriterService(deps: Deps, options: { onStored?: StoredListener } = {}): Service {
  const { config, bus, clock, metrics, logger } = deps;
  const { client } = requireStore(deps, 'writer');
  const deadLetters = createDeadLetters(deps);
  const onRejectedRow = (table: string) => async (row: unknown, reason: string) =>
    deadLetters.send([{ origin: `clickhouse:${table}`, stage: 'writer.insert', reason, payload: JSON.stringify(row) }]);
  const table = new MentionTable(client);
  const diskHealth = new StoreDiskHealth(() => clock.now());
  const mentions = new TableInserter(client, 'mentions', MentionRowSchema, { logger, metrics }, { onRejectedRow: onRejectedRow('mentions'), diskHealth });
  const events = new TableInserter(
    client,
    'campaign_events',
    CampaignEventRowSchema,
    { logger, metrics },
    { onRejectedRow: onRejectedRow('campaign_events'), diskHealth },
  );
  const letters = new TableInserter(client, 'dead_letters', DeadLetterRowSchema, { logger, metrics }, { diskHealth });

  const subscriptions: Subscription[] = [];
  // One group per topic: kafkajs assigns partitions as if every member of a group
  // subscribed to the same topics, so mixing topics in one group misassigns them.
  const group = (stream: string) => topicName(config, `${WRITER_GROUP}.${stream}`);
  const batching = { maxBatch: config.EARSHOT_BATCH_SIZE, maxWaitMs: config.EARSHOT_BATCH_WAIT_MS };
  return {
    name: 'writer',
    health: [
      ...['mentions', 'events', 'dead_letters', 'engagement'].map((name, i) => ({
        name: `writer.${name}.consumer`,
        check: () => consumerHealth(subscriptions[i] ?? null, clock.now(), config.EARSHOT_STALL_SECONDS),
      })),
      { name: 'writer.store_disk', check: () => diskHealth.check() },
    ],
    async start() {
      subscriptions.push(
        await bus.subscribe({
          group: group('mentions'),
          topic: topicName(config, mentionsEnrichedTopic.name),
          ...batching,
          handler: createMentionWriteHandler({
            table,
            inserter: mentions,
            journal: new WriteJournal(client, () => clock.now()),
            deadLetters,
            metrics,
            clock,
            diskHealth,
            onStored: options.onStored,
          }),
        }),
        await bus.subscribe({
          group: group('events'),
          topic: topicName(config, eventsTopic.name),
          ...batching,
          handler: createEventWriteHandler({ inserter: events, deadLetters }),
        }),
        await bus.subscribe({
          group: group('dead_letters'),
          topic: topicName(config, deadLetterTopic.name),
          ...batching,
          handler: createDeadLetterWriteHandler({
            inserter: letters,
            onMalformed: (m, reason) => logger.error({ topic: m.topic, offset: m.offset, reason }, 'malformed dead letter skipped'),
          }),
        }),
        await bus.subscribe({
          group: group('engagement'),
          topic: topicName(config, engagementTopic.name),
          ...batching,
          handler: createEngagementWriteHandler({ table, deadLetters, metrics }),
        }),
      );
      logger.info({ group: group('*') }, 'writer consuming enriched mentions, events, dead letters and engagement refreshes');
    },
    async stop() {
      await Promise.all(subscriptions.map((s) => s.stop()));
    },
  };
}
