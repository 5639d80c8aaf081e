import {
  CampaignEventRowSchema,
  DeadLetterRowSchema,
  createDeadLetters,
  MentionRowSchema,
  MentionTable,
  StoreDiskHealth,
  StoryMergeRowSchema,
  TableInserter,
  WriteJournal,
  consumerHealth,
  requireStore,
  runConsumer,
  type Deps,
  type Service,
  type Subscription,
} from '@earshot/shared';
import { mentionWriteConsumer, type StoredListener } from './mention-writer.js';
import { deadLetterWriteConsumer, eventWriteConsumer } from './simple-writers.js';
import { engagementWriteConsumer } from './engagement-writer.js';

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
  const merges = new TableInserter(client, 'story_merges', StoryMergeRowSchema, { logger, metrics }, { diskHealth });

  const subscriptions: Subscription[] = [];
  const runner = { bus, config, clock, metrics, deadLetters, logger };
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
      // One group per topic (see the stream graph): kafkajs assigns partitions as if every
      // member of a group subscribed to the same topics, so mixing topics misassigns them.
      subscriptions.push(
        await runConsumer(
          mentionWriteConsumer({
            table,
            inserter: mentions,
            merges,
            journal: new WriteJournal(client, () => clock.now()),
            deadLetters,
            metrics,
            clock,
            diskHealth,
            onStored: options.onStored,
          }),
          runner,
        ),
        await runConsumer(eventWriteConsumer({ inserter: events }), runner),
        await runConsumer(deadLetterWriteConsumer({ inserter: letters }), runner),
        await runConsumer(engagementWriteConsumer({ table, metrics }), runner),
      );
      logger.info(
        { groups: [...subscriptions.map((x) => x.health().group)] },
        'writer consuming enriched mentions, events, dead letters and engagement refreshes',
      );
    },
    async stop() {
      await Promise.all(subscriptions.map((s) => s.stop()));
    },
  };
}
