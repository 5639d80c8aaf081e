import {
  EnrichedMentionSchema,
  decodeBatch,
  mentionKey,
  mentionToRow,
  type BatchControl,
  type BusMessage,
  type Clock,
  type DeadLetters,
  type EnrichedMention,
  type Metrics,
  type MentionRowSchema,
  type MentionTable,
  type TableInserter,
  type WriteJournal,
} from '@earshot/shared';
import { storedAndErased } from './existing-keys.js';
import { resolveConversations } from './conversations.js';

export type StoredListener = (mentions: EnrichedMention[], storedAt: number) => void;

/**
 * decode → finish blocks an earlier run was cut short in → drop repeats (in the batch and
 * already stored) and erased authors → place replies in their conversation → insert,
 * noted in the write journal before and after. Resolves only when ClickHouse
 * acknowledged the insert, so the bus commits nothing unstored.
 */
export function createMentionWriteHandler(deps: {
  table: MentionTable;
  inserter: TableInserter<typeof MentionRowSchema>;
  journal: WriteJournal;
  deadLetters: DeadLetters;
  metrics: Metrics;
  clock: Clock;
  onStored?: StoredListener;
}) {
  return async (messages: BusMessage[], batch?: BatchControl): Promise<void> => {
    // Asked right before each insert: a member that lost the partition while it worked (a
    // zombie cut off from the broker, or frozen past its session) must not insert a block
    // the new owner is building differently, or the rollups would count it twice.
    const confirm = async () => batch?.confirmOwnership();
    const decoded = await decodeBatch(messages, EnrichedMentionSchema, deps.deadLetters, 'writer.decode');
    const latest = new Map<string, EnrichedMention>();
    for (const d of decoded) latest.set(mentionKey(d.value), d.value);
    const { stored, erased } = await storedAndErased(deps.table, [...latest.values()]);
    // Rows already stored come back after a crash (or as plain repeats): a block they were
    // in that never finished may have missed some rollups; inserting it again under its
    // token fills what is missing and nothing else.
    if (stored.size)
      await finishCutShort(
        deps,
        [...latest.values()].filter((m) => stored.has(mentionKey(m))),
        confirm,
      );
    const unstored = [...latest.entries()].filter(([key]) => !stored.has(key)).map(([, m]) => m);
    const duplicates = decoded.length - unstored.length;
    if (duplicates > 0) deps.metrics.rowsDuplicate.inc({ table: 'mentions' }, duplicates);
    const fresh = unstored.filter((m) => !erased.has(mentionKey(m)));
    if (fresh.length < unstored.length) deps.metrics.erasedDropped.inc(unstored.length - fresh.length);
    const conversations = await resolveConversations(deps.table, fresh);
    const rows = fresh.map((m) => mentionToRow(m, conversations.get(mentionKey(m))));
    if (rows.length) {
      const block = { token: deps.inserter.tokenFor(rows), keys: fresh.map((m) => [m.source, m.id] as [string, string]) };
      await deps.journal.begin(block);
      await confirm();
      await deps.inserter.insert(rows, block.token);
      await deps.journal.done(block);
    }
    const now = deps.clock.now();
    for (const m of fresh) deps.metrics.rowWait.observe(Math.max(0, now - Date.parse(m.ingested_at)) / 1000);
    deps.onStored?.(fresh, now);
  };
}

/** Inserts again, from the rows as stored and in their first order, every unfinished block these rows were in. */
async function finishCutShort(
  deps: { table: MentionTable; inserter: TableInserter<typeof MentionRowSchema>; journal: WriteJournal },
  stored: EnrichedMention[],
  confirm: () => Promise<void>,
) {
  for (const block of await deps.journal.unfinished(stored.map((m) => [m.source, m.id]))) {
    const byKey = new Map((await deps.table.rows(block.keys)).map((r) => [mentionKey(r as { source: string; id: string }), r]));
    const rows = block.keys.map(([source, id]) => byKey.get(mentionKey({ source, id }))).filter((r) => r !== undefined);
    await confirm();
    await deps.inserter.insert(
      rows.map((r) => deps.inserter.parse(r)),
      block.token,
    );
    await deps.journal.done(block);
  }
}
