import { describe, expect, it } from 'vitest';
import { MentionRowSchema, TableInserter, createMetrics, eraseAuthor, mentionToRow, mentionsEnrichedTopic } from '@earshot/shared';
import { migratedStoreForSuite, quietLogger } from './helpers.js';

/**
 * A call's ClickHouse settings belong to that call. chDB's client connection used to
 * SET them on its one session, where they stayed: after the writer's block went in
 * under its deduplication token, any later insert into a deduplicated table without a
 * token of its own carried the old one and was dropped as a repeat, without an error.
 */
describe('settings of one store call (chDB)', () => {
  const suite = migratedStoreForSuite();
  const base = mentionToRow({ ...mentionsEnrichedTopic.examples[0]!, brands: ['acme'] } as never);
  const row = (id: string, author: string, text: string) => ({
    ...base,
    source: 'twitter',
    id,
    author_id: author,
    text,
    created_at: '2026-11-20 08:10:00.000',
    conversation_id: '',
    in_reply_to: '',
    intents: ['complaint'],
    intent_scores: [0.9],
  });
  const one = async <T>(query: string) => (await (await suite.store.client.query({ query, format: 'JSONEachRow' })).json<T>())[0]!;

  const count = async (query: string) => Number((await one<{ n: unknown }>(query)).n);

  it('does not leak into the next statement', async () => {
    const { client } = suite.store;
    const before = await one<{ n: unknown }>('SELECT count() AS n FROM system.one');
    const quoted = await (
      await client.query({
        query: 'SELECT count() AS n FROM system.one',
        format: 'JSONEachRow',
        clickhouse_settings: { output_format_json_quote_64bit_integers: before.n === 1 ? 1 : 0 },
      })
    ).json<{ n: unknown }>();
    expect(quoted[0]!.n).not.toEqual(before.n);
    expect(await one('SELECT count() AS n FROM system.one')).toEqual(before);
  });

  it('a block stored under a token leaves later inserts into the same tables alone', async () => {
    const { client } = suite.store;
    const inserter = new TableInserter(client, 'mentions', MentionRowSchema, { logger: quietLogger(), metrics: createMetrics() });
    const rows = [row('t1', 'ann', 'checkout failed again'), row('t2', 'bob', 'refund never arrived'), row('t3', 'cat', 'courier lost parcel')];
    await inserter.insert(rows, 'writer-block-1');
    // The same block again (a retry after a lost answer) is still dropped: the token works.
    await inserter.insert(rows, 'writer-block-1');
    expect(await count('SELECT count() AS n FROM mentions')).toBe(3);

    // A mention inserted without a token of its own is stored.
    await client.insert({ table: 'mentions', values: [row('t4', 'dan', 'parcel damaged')], format: 'JSONEachRow' });
    expect(await count('SELECT count() AS n FROM mentions')).toBe(4);

    // Two erasures in a row each rebuild the hour's complaint terms from the mentions left:
    // the second rebuild was the one dropped, which took every other author's terms with it.
    await eraseAuthor(client, 'twitter', 'ann', Date.parse('2026-11-21T00:00:00Z'));
    await eraseAuthor(client, 'twitter', 'bob', Date.parse('2026-11-21T00:00:00Z'));
    const terms = await (
      await client.query({
        query: "SELECT term, sum(mentions) AS n FROM complaint_terms_1h WHERE brand = 'acme' GROUP BY term ORDER BY term",
        format: 'JSONEachRow',
      })
    ).json<{ term: string; n: string }>();
    expect(terms.map((t) => t.term)).toEqual(['courier', 'damaged', 'lost', 'parcel']);
    expect(Number(terms.find((t) => t.term === 'parcel')?.n)).toBe(2);
  });
});
