import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeadLetters,
  ManualClock,
  MemoryBus,
  MentionRowSchema,
  MentionTable,
  StoryMergeRowSchema,
  TableInserter,
  WriteJournal,
  createLogger,
  createMetrics,
  erasedAuthorKey,
  mentionsEnrichedTopic,
  migrate,
  openStore,
  loadConfig,
  toClickHouseTime,
  BatchLostError,
  type BatchControl,
  type BusMessage,
  type EnrichedMention,
  type Store,
} from '@earshot/shared';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMentionWriteHandler } from './mention-writer.js';

/**
 * The writer's mention handler on its own, over the real engine (chDB) and the in-process
 * bus for its dead letters: what a batch from the bus turns into in the store, without the
 * rest of the pipeline.
 */
describe('mention write handler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-writer-'));
  const logger = createLogger('silent');
  const metrics = createMetrics({ defaultMetrics: false });
  const clock = new ManualClock(Date.parse('2026-11-20T09:00:00Z'));
  const bus = new MemoryBus({ partitions: 1, capacity: 1000, logger, metrics, clock });
  const letters: { reason: string; stage: string }[] = [];
  let store: Store;
  let handle: (messages: BusMessage[], batch?: BatchControl) => Promise<void>;
  let offset = 0;

  const example = mentionsEnrichedTopic.examples[0]!;
  const mention = (id: string, over: Partial<EnrichedMention> = {}) => ({ ...example, source: 'writer-unit', id, ...over }) as EnrichedMention;
  const message = (value: unknown): BusMessage => ({
    topic: 'enriched',
    partition: 0,
    offset: String(offset++),
    key: null,
    value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  });
  const one = async <T>(sql: string) => (await (await store.client.query({ query: sql, format: 'JSONEachRow' })).json<T>())[0]!;
  const counter = async (name: string) => {
    const m = await metrics.registry.getSingleMetricAsString(name);
    return m
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  };

  beforeAll(async () => {
    store = await openStore(loadConfig({ EARSHOT_DATA_DIR: dir, EARSHOT_LOG_LEVEL: 'silent' }));
    await migrate(store.client, logger);
    await bus.subscribe({
      group: 'letters',
      topic: 'dead',
      maxBatch: 100,
      maxWaitMs: 10,
      handler: async (ms) => void letters.push(...ms.map((m) => JSON.parse(m.value.toString()) as { reason: string; stage: string })),
    });
    handle = createMentionWriteHandler({
      table: new MentionTable(store.client),
      inserter: new TableInserter(store.client, 'mentions', MentionRowSchema, { logger, metrics }),
      merges: new TableInserter(store.client, 'story_merges', StoryMergeRowSchema, { logger, metrics }),
      // Wall time: the journal keeps two days (TTL), and the manual clock is further back than that.
      journal: new WriteJournal(store.client, () => Date.now()),
      deadLetters: new DeadLetters({ bus, clock, logger, metrics, topicName: 'dead' }),
      metrics,
      clock,
    });
  });
  afterAll(async () => {
    await bus.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores the good mentions of a batch and dead-letters the unreadable one with its reason', async () => {
    await handle([message(mention('a')), message('{not json'), message({ ...mention('b'), sentiment: 'very bad' }), message(mention('c'))]);
    expect(Number((await one<{ n: string }>("SELECT count() AS n FROM mentions WHERE source = 'writer-unit'")).n)).toBe(2);
    expect(await bus.whenIdle()).toBe(true);
    expect(letters).toHaveLength(2);
    expect(letters.every((l) => l.stage === 'writer.decode' && l.reason.length > 0)).toBe(true);
  });

  it('stores a mention delivered twice once, and counts it once in the per-minute rollup', async () => {
    const before = await counter('earshot_store_rows_duplicate_total');
    await handle([message(mention('d')), message(mention('d'))]);
    await handle([message(mention('d'))]);
    expect(Number((await one<{ n: string }>("SELECT count() AS n FROM mentions WHERE source = 'writer-unit' AND id = 'd'")).n)).toBe(1);
    expect(await counter('earshot_store_rows_duplicate_total')).toBe(before + 2);
    const rollup = await one<{ n: string }>("SELECT sum(mentions) AS n FROM mention_stats_1m WHERE source = 'writer-unit'");
    expect(Number(rollup.n)).toBe(3); // a, c and d
  });

  it('drops a mention of an erased author, and places a reply in its parent’s conversation', async () => {
    await store.client.insert({
      table: 'erased_authors',
      values: [{ source: 'writer-unit', author_id: erasedAuthorKey('writer-unit', 'gone'), erased_at: toClickHouseTime(0) }],
      format: 'JSONEachRow',
    });
    await handle([
      message(mention('e', { author: { id: 'gone', handle: 'gone' } })),
      message(mention('f')),
      message(mention('g', { in_reply_to: 'f' })),
      message(mention('h', { in_reply_to: 'g' })),
    ]);
    const rows = await (
      await store.client.query({
        query: "SELECT id, conversation_id FROM mentions WHERE source = 'writer-unit' AND id IN ('e', 'f', 'g', 'h') ORDER BY id",
        format: 'JSONEachRow',
      })
    ).json<{ id: string; conversation_id: string }>();
    expect(rows.map((r) => [r.id, r.conversation_id])).toEqual([
      ['f', 'f'],
      ['g', 'f'],
      ['h', 'f'],
    ]);
  });

  const count = async (sql: string) => Number((await one<{ n: string }>(sql)).n);
  /** Blocks holding this mention that were begun and never settled. */
  const journalBlocksWith = (id: string) =>
    count(`SELECT count() AS n FROM (SELECT token FROM write_journal WHERE has(keys, ('writer-unit', '${id}')) GROUP BY token HAVING max(done) = 0)`);
  const rollupOf = (ids: string[]) =>
    count(`SELECT count() AS n FROM mentions WHERE source = 'writer-unit' AND id IN (${ids.map((i) => `'${i}'`).join(', ')})`);

  const countingHandler = () => {
    const inserter = new TableInserter(store.client, 'mentions', MentionRowSchema, { logger, metrics });
    const insert = inserter.insert.bind(inserter);
    const counted = { inserts: 0, onInsert: () => {} };
    inserter.insert = async (...args) => (counted.inserts++, counted.onInsert(), insert(...args));
    const handler = createMentionWriteHandler({
      table: new MentionTable(store.client),
      inserter,
      merges: new TableInserter(store.client, 'story_merges', StoryMergeRowSchema, { logger, metrics }),
      journal: new WriteJournal(store.client, () => Date.now()),
      deadLetters: new DeadLetters({ bus, clock, logger, metrics, topicName: 'dead' }),
      metrics,
      clock,
    });
    return { handler, counted };
  };
  const minuteOf = "minute = toStartOfMinute(parseDateTimeBestEffort('" + example.created_at + "'))";
  const rollup = () => count(`SELECT sum(mentions) AS n FROM mention_stats_1m WHERE source = 'writer-unit' AND ${minuteOf}`);

  it('stores the batches six partitions hand over at once as one block', async () => {
    const before = await rollup();
    const { handler, counted } = countingHandler();
    const batches = Array.from({ length: 6 }, (_, p) => Array.from({ length: 20 }, (_, i) => message(mention(`one${p}-${i}`))));
    await Promise.all(batches.map((b) => handler(b)));
    expect(await count("SELECT count() AS n FROM mentions WHERE source = 'writer-unit' AND startsWith(id, 'one')")).toBe(120);
    expect(await rollup()).toBe(before + 120);
    expect(counted.inserts).toBe(1);
  });

  it('stores the batches that arrive while a block is being inserted together, as the next block', async () => {
    const before = await rollup();
    const { handler, counted } = countingHandler();
    const batches = Array.from({ length: 6 }, (_, p) => Array.from({ length: 20 }, (_, i) => message(mention(`blk${p}-${i}`))));
    // The first batch goes alone; the five handed over while it is inserted go in as one block, not five.
    let later: Promise<void>[] = [];
    counted.onInsert = () => {
      if (counted.inserts === 1) later = batches.slice(1).map((b) => handler(b));
    };
    await handler(batches[0]!);
    await Promise.all(later);
    expect(await count("SELECT count() AS n FROM mentions WHERE source = 'writer-unit' AND startsWith(id, 'blk')")).toBe(120);
    expect(await rollup()).toBe(before + 120);
    expect(counted.inserts).toBe(2);
  });

  it('waits a moment for the partitions the last block released, as Kafka delivers them a fetch apart', async () => {
    const before = await rollup();
    const { handler, counted } = countingHandler();
    const batches = Array.from({ length: 6 }, (_, p) => Array.from({ length: 10 }, (_, i) => message(mention(`gat${p}-${i}`))));
    await Promise.all(batches.slice(0, 3).map((b) => handler(b)));
    expect(counted.inserts).toBe(1);
    // The same three partitions again, the second and third 5 ms after the first: one block.
    const first = handler(batches[3]!);
    await new Promise((r) => setTimeout(r, 5));
    await Promise.all([first, handler(batches[4]!), handler(batches[5]!)]);
    expect(counted.inserts).toBe(2);
    expect(await rollup()).toBe(before + 60);
  });

  it('inserts nothing of a batch whose partition was lost while it waited, and stores the others of its block', async () => {
    const ours: BatchControl = { confirmOwnership: async () => undefined };
    const lost: BatchControl = {
      confirmOwnership: async () => {
        throw new BatchLostError('partition 3 is no longer this member’s');
      },
    };
    const settled = await Promise.allSettled([
      handle([message(mention('keep-0'))], ours),
      handle([message(mention('lost-0')), message(mention('lost-1'))], lost),
      handle([message(mention('keep-1'))], ours),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toBeInstanceOf(BatchLostError);
    expect(await rollupOf(['keep-0', 'keep-1', 'lost-0', 'lost-1'])).toBe(2);
    // The block noted for the lost batch never went in, and is settled: no later redelivery may "finish" it.
    expect(await journalBlocksWith('lost-0')).toBe(0);
  });

  it('does not finish a block that never went in when another block stored its mentions: counted once', async () => {
    // A writer noted a block of r1 and r2 and died before inserting it; the redelivery went
    // to a block of its own (other batches beside it), which stored them with r3.
    const journal = new WriteJournal(store.client, () => Date.now());
    await journal.begin({
      token: 'never-inserted',
      keys: [
        ['writer-unit', 'r1'],
        ['writer-unit', 'r2'],
      ],
    });
    await handle([message(mention('r1')), message(mention('r2')), message(mention('r3'))]);
    const minute = "minute = toStartOfMinute(parseDateTimeBestEffort('" + example.created_at + "'))";
    const before = await count(`SELECT sum(mentions) AS n FROM mention_stats_1m WHERE source = 'writer-unit' AND ${minute}`);
    // The journal merged, as ClickHouse does in the background: each token keeps its latest row.
    await store.client.command({ query: 'OPTIMIZE TABLE write_journal FINAL' });
    // r1 comes once more (a crash before the commit): it is stored, so the writer looks for unfinished blocks holding it.
    await handle([message(mention('r1'))]);
    expect(await count(`SELECT sum(mentions) AS n FROM mention_stats_1m WHERE source = 'writer-unit' AND ${minute}`)).toBe(before);
    expect(await journalBlocksWith('r1')).toBe(0);
  });
});
