import {
  STREAM_CONSUMERS,
  deadLetterToRow,
  defineConsumer,
  eventToRow,
  forAll,
  type CampaignEventRowSchema,
  type DeadLetterRowSchema,
  type TableInserter,
} from '@earshot/shared';

/** Campaign and PR events: a ReplacingMergeTree keyed by (brand, id) absorbs redeliveries. */
export function eventWriteConsumer(deps: { inserter: TableInserter<typeof CampaignEventRowSchema> }) {
  return defineConsumer(STREAM_CONSUMERS.writerEvents, [forAll((events) => deps.inserter.insert(events.map(eventToRow)))]);
}

/**
 * Keeps dead letters queryable in ClickHouse. A dead letter that is itself malformed is
 * logged and skipped rather than dead-lettered again, which could loop (the graph's
 * `undecodable: 'log'`).
 */
export function deadLetterWriteConsumer(deps: { inserter: TableInserter<typeof DeadLetterRowSchema> }) {
  return defineConsumer(STREAM_CONSUMERS.writerDeadLetters, [forAll((letters) => deps.inserter.insert(letters.map(deadLetterToRow)))]);
}
