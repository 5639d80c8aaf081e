import {
  EnrichedMentionSchema,
  decodeBatch,
  mentionKey,
  mentionToRow,
  type BusMessage,
  type ClickHouseClient,
  type Clock,
  type DeadLetters,
  type EnrichedMention,
  type Metrics,
  type MentionRowSchema,
  type TableInserter,
} from '@earshot/shared';
import { storedAndErased } from './existing-keys.js';
import { resolveConversations } from './conversations.js';

export type StoredListener = (mentions: EnrichedMention[], storedAt: number) => void;

/**
 * decode → drop repeats (in the batch and already stored) and erased authors → place
 * replies in their conversation → insert. Resolves only
 * when ClickHouse acknowledged the insert, so the bus commits nothing unstored.
 */
export function createMentionWriteHandler(deps: {
  client: ClickHouseClient;
  inserter: TableInserter<typeof MentionRowSchema>;
  deadLetters: DeadLetters;
  metrics: Metrics;
  clock: Clock;
  onStored?: StoredListener;
}) {
  return async (messages: BusMessage[]): Promise<void> => {
    const decoded = await decodeBatch(messages, EnrichedMentionSchema, deps.deadLetters, 'writer.decode');
    const latest = new Map<string, EnrichedMention>();
    for (const d of decoded) latest.set(mentionKey(d.value), d.value);
    const { stored, erased } = await storedAndErased(deps.client, [...latest.values()]);
    const unstored = [...latest.entries()].filter(([key]) => !stored.has(key)).map(([, m]) => m);
    const duplicates = decoded.length - unstored.length;
    if (duplicates > 0) deps.metrics.rowsDuplicate.inc({ table: 'mentions' }, duplicates);
    const fresh = unstored.filter((m) => !erased.has(mentionKey(m)));
    if (fresh.length < unstored.length) deps.metrics.erasedDropped.inc(unstored.length - fresh.length);
    const conversations = await resolveConversations(deps.client, fresh);
    await deps.inserter.insert(fresh.map((m) => mentionToRow(m, conversations.get(mentionKey(m)))));
    const now = deps.clock.now();
    for (const m of fresh) deps.metrics.rowWait.observe(Math.max(0, now - Date.parse(m.ingested_at)) / 1000);
    deps.onStored?.(fresh, now);
  };
}
