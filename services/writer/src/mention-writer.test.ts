import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeadLetters,
  ManualClock,
  MemoryBus,
  MentionRowSchema,
  MentionTable,
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
  let handle: (messages: BusMessage[]) => Promise<void>;
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
      journal: new WriteJournal(store.client, () => clock.now()),
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
});
