import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MentionTable, erasedAuthorKey, mentionToRow, mentionsEnrichedTopic, migrate, openStore, toClickHouseTime, type Store } from '@earshot/shared';
import { quietLogger, tempDir, testConfig } from './helpers.js';

/** The writer's and readers' side of `mentions`, on the real engine (chDB), one method at a time. */
describe('MentionTable', () => {
  const dir = tempDir();
  let store: Store;
  let table: MentionTable;
  const base = mentionToRow({ ...mentionsEnrichedTopic.examples[0]!, brands: ['acme'] } as never);
  const row = (id: string, over: Record<string, unknown> = {}) => ({
    ...base,
    source: 'twitter',
    id,
    author_id: `a-${id}`,
    conversation_id: '',
    in_reply_to: '',
    intents: [],
    intent_scores: [],
    ...over,
  });
  const count = async (sql: string) => Number((await (await store.client.query({ query: sql, format: 'JSONEachRow' })).json<{ n: string }>())[0]!.n);

  beforeAll(async () => {
    store = await openStore(testConfig({ EARSHOT_DATA_DIR: dir.path }));
    await migrate(store.client, quietLogger());
    table = new MentionTable(store.client);
    await store.client.insert({
      table: 'mentions',
      values: [
        row('1', { text: 'Acme checkout failed again', intents: ['complaint'], intent_scores: [0.9], created_at: '2026-11-20 08:00:00.000' }),
        row('2', { text: 'love it', created_at: '2026-11-20 08:01:00.000' }),
        row('3', { in_reply_to: '1', conversation_id: '1', intents: ['complaint'], intent_scores: [0.8], created_at: '2026-11-20 08:02:00.000' }),
      ],
      format: 'JSONEachRow',
    });
    await store.client.insert({
      table: 'erased_authors',
      values: [{ source: 'twitter', author_id: erasedAuthorKey('twitter', 'gone'), erased_at: toClickHouseTime(0) }],
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await store?.close();
    dir.remove();
  });

  it('tells which keys are stored and which authors were erased, in one answer', async () => {
    const r = await table.storedAndErased(
      [
        ['twitter', '1'],
        ['twitter', '9'],
      ],
      [erasedAuthorKey('twitter', 'gone'), erasedAuthorKey('twitter', 'here')],
    );
    expect([...r.stored]).toEqual(['twitter:1']);
    expect([...r.erasedAuthors]).toEqual([erasedAuthorKey('twitter', 'gone')]);
  });

  it('reads conversations and rows by key, counts what is stored', async () => {
    expect(
      Object.fromEntries(
        await table.conversations([
          ['twitter', '1'],
          ['twitter', '3'],
        ]),
      ),
    ).toEqual({ 'twitter:1': '1', 'twitter:3': '1' });
    expect((await table.rows([['twitter', '2']])).map((r) => r.text)).toEqual(['love it']);
    expect(
      await table.countStored([
        ['twitter', '1'],
        ['twitter', '2'],
        ['reddit', '1'],
      ]),
    ).toBe(2);
  });

  it('searches by brand, intent, words and time, newest first', async () => {
    const ids = async (f: Partial<Parameters<MentionTable['search']>[0]>) =>
      (await table.search<{ id: string }>({ limit: 10, offset: 0, ...f })).map((r) => r.id);
    expect(await ids({ brand: 'acme' })).toEqual(['3', '2', '1']);
    expect(await ids({ intent: 'complaint' })).toEqual(['3', '1']);
    expect(await ids({ q: 'CHECKOUT' })).toEqual(['1']);
    expect(await ids({ from: '2026-11-20T08:01:00Z', to: '2026-11-20T08:02:00Z' })).toEqual(['2']);
    expect(await table.texts('acme', Date.parse('2026-11-20T08:00:00Z'), Date.parse('2026-11-20T08:01:30Z'), 10)).toEqual([
      'Acme checkout failed again',
      'love it',
    ]);
  });

  it('sets counts in place without adding rows or touching the rollups; followers reach the care copy', async () => {
    const rollup = await count("SELECT sum(mentions) AS n FROM mention_stats_1m WHERE brand = 'acme'");
    await table.setCounts([
      { source: 'twitter', id: '1', values: { likes: 42, author_followers: 9000 } },
      { source: 'twitter', id: '2', values: { shares: 7 } },
    ]);
    const [one] = await table.rows([['twitter', '1']]);
    expect([one!.likes, one!.author_followers]).toEqual([42, 9000]);
    expect((await table.rows([['twitter', '2']]))[0]!.shares).toBe(7);
    expect(await count("SELECT count() AS n FROM mentions WHERE source = 'twitter'")).toBe(3);
    expect(await count("SELECT sum(mentions) AS n FROM mention_stats_1m WHERE brand = 'acme'")).toBe(rollup);
    expect(await count("SELECT max(author_followers) AS n FROM care_messages WHERE id = '1'")).toBe(9000);
  });

  it('deletes keys from mentions and from the care copy', async () => {
    expect(await count("SELECT count() AS n FROM care_messages WHERE id = '1'")).toBeGreaterThan(0);
    await table.deleteKeys([['twitter', '1']]);
    expect(await table.countStored([['twitter', '1']])).toBe(0);
    expect(await count("SELECT count() AS n FROM care_messages WHERE id = '1'")).toBe(0);
    expect(await table.countStored([['twitter', '2']])).toBe(1);
  });
});
