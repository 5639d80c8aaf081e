import { createHash } from 'node:crypto';
import {
  BatchLostError,
  EnrichedMentionSchema,
  STREAM_CONSUMERS,
  decodeBatch,
  defineConsumer,
  forAll,
  mentionKey,
  mentionToRow,
  storyMergeRows,
  type BatchControl,
  type BusMessage,
  type Clock,
  type DeadLetters,
  type EnrichedMention,
  type Metrics,
  type MentionRowSchema,
  type BlockJournal,
  type MentionRow,
  type MentionTable,
  type StoreDiskHealth,
  type StoryMergeRowSchema,
  type TableInserter,
  type WriteJournal,
} from '@earshot/shared';
import { storedAndErased } from './existing-keys.js';
import { resolveConversations } from './conversations.js';

export type StoredListener = (mentions: EnrichedMention[], storedAt: number) => void;

/** One partition's decoded batch, waiting for the block it will be inserted in. */
interface Waiting {
  mentions: EnrichedMention[];
  batch?: BatchControl;
  resolve(): void;
  reject(err: unknown): void;
}

/** Most mentions gathered into one block (about 20 MB of JSON). */
const MAX_BLOCK_MENTIONS = 20_000;
/** Longest a block waits for the partitions the last one released (a few Kafka fetches). */
const GATHER_MS = 25;

/**
 * decode → gather the batches every partition delivered meanwhile into one block → finish
 * blocks an earlier run was cut short in → drop repeats (in the block and already stored)
 * and erased authors → place replies in their conversation → insert, noted in the write
 * journal before and after. Each batch resolves only when ClickHouse acknowledged the
 * block holding it, so the bus commits nothing unstored.
 *
 * Why gather: an insert into `mentions` writes a part there and in every rollup its views
 * feed, and each of those costs milliseconds however few rows it holds; with one block
 * in flight at a time, the batches that arrive while it is stored go in together as the
 * next one, so the busier the stream, the larger the blocks and the cheaper each mention.
 * An insert into `mentions` and its six views costs about 130 ms of CPU whatever its size,
 * plus about 33 µs a row (chDB, this 2-core machine): blocks of 2,000 cost twice as much a
 * mention as blocks of 12,000.
 */
export function createMentionWriter(deps: {
  table: MentionTable;
  inserter: TableInserter<typeof MentionRowSchema>;
  /** Stories the classifier merged (`story_merges` on enriched mentions), stored beside the mentions. */
  merges: TableInserter<typeof StoryMergeRowSchema>;
  journal: WriteJournal;
  deadLetters: DeadLetters;
  metrics: Metrics;
  clock: Clock;
  /** Red while a block fails for the store's disk (the journal's writes too), green once an insert succeeds. */
  diskHealth?: StoreDiskHealth;
  onStored?: StoredListener;
}) {
  const queue: Waiting[] = [];
  let draining = false;
  /** Batches in the last block: the partitions it released, which a busy stream has deliver again. */
  let lastBatches = 0;
  let arrived: (() => void) | null = null;
  const nextArrival = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        arrived = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      arrived = done;
    });
  const queued = () => queue.reduce((n, w) => n + w.mentions.length, 0);

  const drain = async () => {
    if (draining) return;
    draining = true;
    try {
      while (queue.length) {
        // One turn of the event loop first: the partitions the last block released deliver
        // their next batches meanwhile (in one process, at once), and they go in this block
        // rather than the one after. Over Kafka they come a fetch apart: the block waits a
        // moment for as many batches as the last one held, or the first would go alone and
        // the rest in the next block, twice the inserts for the same mentions.
        await new Promise((resolve) => setImmediate(resolve));
        const until = performance.now() + GATHER_MS;
        while (queue.length < lastBatches && queued() < MAX_BLOCK_MENTIONS && performance.now() < until) await nextArrival(until - performance.now());
        const block: Waiting[] = [queue.shift()!];
        let size = block[0]!.mentions.length;
        while (queue.length && size + queue[0]!.mentions.length <= MAX_BLOCK_MENTIONS) {
          const next = queue.shift()!;
          block.push(next);
          size += next.mentions.length;
        }
        lastBatches = block.length;
        await writeBlock(deps, block);
      }
    } finally {
      draining = false;
    }
  };

  /** Resolves once the mentions are stored (or known stored), in a block with whatever else is waiting. */
  return async (mentions: EnrichedMention[], batch?: BatchControl): Promise<void> => {
    if (mentions.length === 0) return;
    await new Promise<void>((resolve, reject) => {
      queue.push({ mentions, ...(batch ? { batch } : {}), resolve, reject });
      arrived?.();
      void drain();
    });
  };
}

type Deps = Parameters<typeof createMentionWriter>[0];

/** The writer's consumer of enriched mentions, from the stream graph: decoded by the runner, then written. */
export function mentionWriteConsumer(deps: Deps) {
  const write = createMentionWriter(deps);
  return defineConsumer(STREAM_CONSUMERS.writerMentions, [forAll((mentions, ctx) => write(mentions, ctx.batch))]);
}

/** The same write as a bare batch handler (decode, then write), for tests that drive one writer by hand. */
export function createMentionWriteHandler(deps: Deps) {
  const write = createMentionWriter(deps);
  return async (messages: BusMessage[], batch?: BatchControl): Promise<void> => {
    const decoded = await decodeBatch(messages, EnrichedMentionSchema, deps.deadLetters, 'writer.decode');
    await write(
      decoded.map((d) => d.value),
      batch,
    );
  };
}

/**
 * Asks, right before an insert, every batch in the block whether its partition is still
 * this member's: one that lost it (a zombie cut off from the broker, or frozen past its
 * session) must not be inserted, since the new owner builds its own block of those
 * mentions and the rollups would count them twice. Returns the batches that lost it.
 */
async function lostOwnership(block: Waiting[]): Promise<Map<Waiting, unknown>> {
  const answers = await Promise.allSettled(block.map((w) => w.batch?.confirmOwnership() ?? Promise.resolve()));
  return new Map(answers.flatMap((a, i) => (a.status === 'rejected' ? [[block[i]!, a.reason] as const] : [])));
}

/** Stores one block and settles its batches: all stored, the lost ones refused, or all failed. */
async function writeBlock(deps: Deps, block: Waiting[]): Promise<void> {
  let remaining = block;
  try {
    for (;;) {
      // The journal's writes fail for a full disk too; the inserter's next success clears it.
      const lost = await storeBlock(deps, remaining).catch((err: unknown) => {
        deps.diskHealth?.failed('mentions', err);
        throw err;
      });
      if (lost.size === 0) break;
      // The batches still ours go on without the lost ones, in a block of their own.
      for (const [w, reason] of lost) w.reject(reason instanceof BatchLostError ? reason : new BatchLostError(String(reason)));
      remaining = remaining.filter((w) => !lost.has(w));
      if (remaining.length === 0) return;
    }
    for (const w of remaining) w.resolve();
  } catch (err) {
    for (const w of remaining) w.reject(err);
  }
}

/** Inserts the block's new mentions, unless a batch lost its partition first: then nothing, and those batches are returned. */
async function storeBlock(deps: Deps, block: Waiting[]): Promise<Map<Waiting, unknown>> {
  const latest = new Map<string, EnrichedMention>();
  const merging: EnrichedMention[] = [];
  let received = 0;
  for (const w of block)
    for (const m of w.mentions) {
      latest.set(mentionKey(m), m);
      received++;
      if (m.story_merges) merging.push(m);
    }
  // Merges first, from every mention received, repeats and erased authors' included: a
  // redelivery stores what a crash cut short, and the table keeps one row per story merged
  // away (a zombie's insert of the same rows changes nothing).
  if (merging.length) await deps.merges.insert(storyMergeRows(merging));
  const { stored, erased } = await storedAndErased(deps.table, [...latest.values()]);
  // Rows already stored come back after a crash (or as plain repeats): a block they were
  // in that never finished may have missed some rollups; inserting it again under its
  // token fills what is missing and nothing else.
  if (stored.size) {
    const lost = await finishCutShort(
      deps,
      [...latest.values()].filter((m) => stored.has(mentionKey(m))),
      () => lostOwnership(block),
    );
    if (lost.size) return lost;
  }
  const unstored = [...latest.entries()].filter(([key]) => !stored.has(key)).map(([, m]) => m);
  const duplicates = received - unstored.length;
  if (duplicates > 0) deps.metrics.rowsDuplicate.inc({ table: 'mentions' }, duplicates);
  const fresh = unstored.filter((m) => !erased.has(mentionKey(m)));
  if (fresh.length < unstored.length) deps.metrics.erasedDropped.inc(unstored.length - fresh.length);
  const conversations = await resolveConversations(deps.table, fresh);
  const rows = fresh.map((m) => mentionToRow(m, conversations.get(mentionKey(m))));
  if (rows.length) {
    const journalBlock = { token: blockToken(rows), keys: fresh.map((m) => [m.source, m.id] as [string, string]) };
    await deps.journal.begin(journalBlock);
    const lost = await lostOwnership(block);
    if (lost.size) {
      // Never inserted: settled, so that no later redelivery "finishes" it under its token
      // over rows another block stored, which would count them twice in the rollups.
      await deps.journal.done(journalBlock);
      return lost;
    }
    await deps.inserter.insert(rows, journalBlock.token, partsJournal(deps.journal));
    await deps.journal.done(journalBlock);
  }
  const now = deps.clock.now();
  for (const m of fresh) deps.metrics.rowWait.observe(Math.max(0, now - Date.parse(m.ingested_at)) / 1000);
  deps.onStored?.(fresh, now);
  return new Map();
}

/** The write journal as the inserter notes the parts of a block it splits (a row refused for its content). */
function partsJournal(journal: WriteJournal): BlockJournal<MentionRow> {
  const block = (rows: MentionRow[], token: string) => ({ token, keys: rows.map((r) => [r.source, r.id] as [string, string]) });
  return { begin: (rows, token) => journal.begin(block(rows, token)), done: (rows, token) => journal.done(block(rows, token)) };
}

/**
 * The block's deduplication token, from each row's key and the time it was enriched: what
 * tells one version of a mention from another. Cheaper than hashing every row's JSON, and as
 * exact here, since a block only ever holds mentions not yet stored.
 */
function blockToken(rows: { source: string; id: string; enriched_at: string }[]): string {
  const hash = createHash('sha256').update('mentions');
  for (const r of rows) hash.update(`${r.source}\u0000${r.id}\u0000${r.enriched_at}\n`);
  return hash.digest('hex');
}

/** Inserts again, from the rows as stored and in their first order, every unfinished block these rows were in. */
async function finishCutShort(
  deps: { table: MentionTable; inserter: TableInserter<typeof MentionRowSchema>; journal: WriteJournal },
  stored: EnrichedMention[],
  lost: () => Promise<Map<Waiting, unknown>>,
): Promise<Map<Waiting, unknown>> {
  for (const block of await deps.journal.unfinished(stored.map((m) => [m.source, m.id]))) {
    const byKey = new Map((await deps.table.rows(block.keys)).map((r) => [mentionKey(r as { source: string; id: string }), r]));
    const rows = block.keys.map(([source, id]) => byKey.get(mentionKey({ source, id }))).filter((r) => r !== undefined);
    const refused = await lost();
    if (refused.size) return refused;
    await deps.inserter.insert(
      rows.map((r) => deps.inserter.parse(r)),
      block.token,
      partsJournal(deps.journal),
    );
    await deps.journal.done(block);
  }
  return new Map();
}
