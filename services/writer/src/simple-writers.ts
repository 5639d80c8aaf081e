import {
  CampaignEventSchema,
  DeadLetterSchema,
  deadLetterToRow,
  decodeBatch,
  eventToRow,
  type BusMessage,
  type CampaignEventRowSchema,
  type DeadLetterRowSchema,
  type DeadLetters,
  type TableInserter,
} from '@earshot/shared';

/** Campaign and PR events: a ReplacingMergeTree keyed by (brand, id) absorbs redeliveries. */
export function createEventWriteHandler(deps: { inserter: TableInserter<typeof CampaignEventRowSchema>; deadLetters: DeadLetters }) {
  return async (messages: BusMessage[]): Promise<void> => {
    const decoded = await decodeBatch(messages, CampaignEventSchema, deps.deadLetters, 'writer.events.decode');
    await deps.inserter.insert(decoded.map((d) => eventToRow(d.value)));
  };
}

/**
 * Keeps dead letters queryable in ClickHouse. A dead letter that is itself malformed
 * is logged and skipped rather than dead-lettered again, which could loop.
 */
export function createDeadLetterWriteHandler(deps: {
  inserter: TableInserter<typeof DeadLetterRowSchema>;
  onMalformed: (message: BusMessage, reason: string) => void;
}) {
  return async (messages: BusMessage[]): Promise<void> => {
    const rows = [];
    for (const m of messages) {
      if (m.value.length === 0) continue; // a tombstone: an erased record
      try {
        const parsed = DeadLetterSchema.safeParse(JSON.parse(m.value.toString('utf8')));
        if (parsed.success) rows.push(deadLetterToRow(parsed.data));
        else deps.onMalformed(m, parsed.error.message);
      } catch (err) {
        deps.onMalformed(m, (err as Error).message);
      }
    }
    await deps.inserter.insert(rows);
  };
}
