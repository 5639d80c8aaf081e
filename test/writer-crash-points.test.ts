import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DeadLetters,
  MemoryBus,
  MentionRowSchema,
  MentionTable,
  StoryMergeRowSchema,
  TableInserter,
  WriteJournal,
  deadLetterTopic,
  mentionsEnrichedTopic,
  migrate,
  openStore,
  systemClock,
  type BusMessage,
  type EnrichedMention,
  type Store,
} from '@earshot/shared';
import { createMentionWriteHandler } from '../services/writer/src/mention-writer.js';
import { freshMetrics, quietLogger, tempDir, testConfig } from './helpers.js';
import { startStoreStandIn } from './store-standin.js';

const VIEWS = ['mention_stats_1m_mv', 'mention_intents_1m_mv', 'complaint_terms_1h_mv', 'mention_stats_1h_mv', 'mention_intents_1h_mv'];
class Crash extends Error {}

/**
 * The writer killed at each point of storing a batch, on the real engine (chDB), then the
 * batch delivered again as Kafka does after a crash (issue #18.3: rollups drifted from the
 * stored rows). A crash is a fault thrown at that point; for the one between the table and
 * its views, the views are detached while the table takes the rows, which leaves what the
 * crash leaves on disk.
 */
describe('the mention writer killed at every point of a batch', () => {
  const dir = tempDir();
  let store: Store;
  let bus: MemoryBus;
  beforeAll(async () => {
    store = await openStore(testConfig({ EARSHOT_DATA_DIR: dir.path }));
    await migrate(store.client, quietLogger());
    bus = new MemoryBus({ partitions: 1, capacity: 1000, logger: quietLogger(), metrics: freshMetrics(), clock: systemClock });
  });
  afterAll(async () => {
    await bus?.close();
    await store?.close();
    dir.remove();
  });

  const batch = (brand: string, n: number): BusMessage[] =>
    Array.from({ length: n }, (_, i) => {
      const m = {
        ...mentionsEnrichedTopic.examples[0]!,
        id: `${brand}-${i}`,
        brands: [brand],
        created_at: `2026-11-20T08:0${i % 3}:00Z`,
        intents: [{ label: 'complaint', score: 0.9 }],
      } as EnrichedMention;
      return { topic: mentionsEnrichedTopic.name, partition: 0, offset: String(i), key: `${m.source}:${m.id}`, value: Buffer.from(JSON.stringify(m)) };
    });
  const handler = (faults: { beforeInsert?: boolean; beforeDone?: boolean; beforeSecondHalf?: boolean } = {}, client = store.client) => {
    const deps = { logger: quietLogger(), metrics: freshMetrics() };
    const inserter = new TableInserter(client, 'mentions', MentionRowSchema, deps);
    const journal = new WriteJournal(store.client, () => Date.now());
    const insert = inserter.insert.bind(inserter);
    inserter.insert = async (rows, token, parts) => {
      if (faults.beforeInsert) throw new Crash('killed before the insert');
      if (faults.beforeSecondHalf && token?.endsWith('/2')) throw new Crash('killed between the halves of a split block');
      return insert(rows, token, parts);
    };
    const done = journal.done.bind(journal);
    journal.done = async (block) => {
      if (faults.beforeDone) throw new Crash('killed before the journal noted the block done');
      return done(block);
    };
    return createMentionWriteHandler({
      table: new MentionTable(store.client),
      inserter,
      merges: new TableInserter(client, 'story_merges', StoryMergeRowSchema, deps),
      journal,
      deadLetters: new DeadLetters({ bus, clock: systemClock, logger: quietLogger(), metrics: deps.metrics, topicName: deadLetterTopic.name }),
      metrics: deps.metrics,
      clock: systemClock,
    });
  };
  const n = async (sql: string) => Number((await (await store.client.query({ query: sql, format: 'JSONEachRow' })).json<{ n: string }>())[0]!.n);
  const counts = async (brand: string) => ({
    stored: await n(`SELECT count() AS n FROM mentions FINAL WHERE has(brands, '${brand}')`),
    per_minute: await n(`SELECT sum(mentions) AS n FROM mention_stats_1m WHERE brand = '${brand}'`),
    per_hour: await n(`SELECT sum(mentions) AS n FROM mention_stats_1h WHERE brand = '${brand}'`),
    intents_per_minute: await n(`SELECT sum(mentions) AS n FROM mention_intents_1m WHERE brand = '${brand}'`),
    intents_per_hour: await n(`SELECT sum(mentions) AS n FROM mention_intents_1h WHERE brand = '${brand}'`),
  });
  /** The writer dies after the table took the rows and before its views did. */
  const crashBetweenTableAndViews = async (messages: BusMessage[]) => {
    for (const v of VIEWS) await store.client.command({ query: `DETACH TABLE ${v}` });
    try {
      await expect(handler({ beforeDone: true })(messages)).rejects.toThrow(Crash);
    } finally {
      for (const v of VIEWS) await store.client.command({ query: `ATTACH TABLE ${v}` });
    }
  };
  const exact = (count: number) => ({ stored: count, per_minute: count, per_hour: count, intents_per_minute: count, intents_per_hour: count });

  it('killed after noting the block, before the insert: the redelivery stores it once', async () => {
    const messages = batch('p1', 50);
    await expect(handler({ beforeInsert: true })(messages)).rejects.toThrow(Crash);
    await handler()(messages);
    expect(await counts('p1')).toEqual(exact(50));
  });

  it('killed between the table and its views: the redelivery fills the rollups and adds no row', async () => {
    const messages = batch('p2', 50);
    await crashBetweenTableAndViews(messages);
    expect(await counts('p2')).toMatchObject({ stored: 50, per_minute: 0 });
    await handler()(messages);
    expect(await counts('p2')).toEqual(exact(50));
  });

  it('killed after the views, before the block was noted done: the redelivery counts nothing twice', async () => {
    const messages = batch('p3', 50);
    await expect(handler({ beforeDone: true })(messages)).rejects.toThrow(Crash);
    await handler()(messages);
    expect(await counts('p3')).toEqual(exact(50));
  });

  it('killed after the block was done, before the bus committed: the redelivery changes nothing', async () => {
    const messages = batch('p4', 50);
    await handler()(messages);
    await handler()(messages);
    expect(await counts('p4')).toEqual(exact(50));
  });

  // Issue #35.2: a block split in halves went in under the halves' tokens, outside the
  // journal; finished after a crash under the block's own token, its first half was
  // counted twice in the rollups. A 413 from a proxy makes the inserter split it here.
  it('killed between the halves of a block split for its size: the redelivery counts each mention once', async () => {
    const standIn = await startStoreStandIn(store.client);
    const client = createClient({ url: standIn.url, request_timeout: 30_000, log: { level: ClickHouseLogLevel.OFF } });
    try {
      standIn.fail({ status: 413, body: '<html><body><h1>413 Request Entity Too Large</h1></body></html>' });
      const messages = batch('p6', 40);
      await expect(handler({ beforeSecondHalf: true }, client)(messages)).rejects.toThrow(Crash);
      expect(await counts('p6')).toMatchObject({ stored: 20, per_minute: 20 });
      await handler()(messages);
      expect(await counts('p6')).toEqual(exact(40));
    } finally {
      await client.close();
      await standIn.close();
    }
  });

  it('a redelivery that brings new mentions with the old stores both, each counted once', async () => {
    const first = batch('p5', 30);
    await crashBetweenTableAndViews(first);
    await handler()(batch('p5', 45));
    expect(await counts('p5')).toEqual(exact(45));
  });
});
