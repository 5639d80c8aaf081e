import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CareStore, mentionToRow, mentionsEnrichedTopic, migrate, openStore, type Store } from '@earshot/shared';
import { quietLogger, tempDir, testConfig } from './helpers.js';

/**
 * How care reads conversations over a range (migration 016), on the real engine (chDB):
 * only the messages from 7 days before the range are read, which must not change which
 * conversations a range holds nor what their first ask was.
 */
describe('care conversations over a range', () => {
  const dir = tempDir();
  let store: Store;
  let care: CareStore;
  const DAY = 86_400_000;
  const from = Date.parse('2026-11-10T00:00:00Z');
  const at = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  const base = mentionToRow({ ...mentionsEnrichedTopic.examples[0]!, brands: ['acme'] } as never);
  const row = (id: string, t: number, over: Record<string, unknown>) => ({
    ...base,
    source: 'twitter',
    id,
    created_at: at(t),
    ingested_at: at(t),
    conversation_id: '',
    in_reply_to: '',
    from_brand: 0,
    intents: [],
    intent_scores: [],
    ...over,
  });
  const question = { intents: ['question'], intent_scores: [0.9] };

  beforeAll(async () => {
    store = await openStore(testConfig({ EARSHOT_DATA_DIR: dir.path }));
    await migrate(store.client, quietLogger());
    care = new CareStore(store.client);
    const reply = (id: string, t: number, conv: string) => row(id, t, { conversation_id: conv, in_reply_to: conv, from_brand: 1, author_id: 'acme-care' });
    const rows = [
      // Asked two days before the range and answered then; the customer asks again inside it.
      row('old', from - 2 * DAY, { ...question, author_id: 'c1' }),
      reply('old-r', from - 2 * DAY + 3_600_000, 'old'),
      row('old-again', from + 3_600_000, { ...question, conversation_id: 'old', in_reply_to: 'old-r', author_id: 'c1', sentiment_score: 0.5 }),
      // Asked inside the range, answered after 10 minutes; the reply arrives twice (an update).
      row('new', from + DAY, { ...question, author_id: 'c2', sentiment_score: -0.6 }),
      reply('new-r', from + DAY + 600_000, 'new'),
      row('new-thanks', from + DAY + 1_200_000, { conversation_id: 'new', in_reply_to: 'new-r', author_id: 'c2', sentiment_score: 0.7 }),
      // Asked inside the range, never answered.
      row('open', from + 2 * DAY, { ...question, author_id: 'c3' }),
    ];
    await store.client.insert({ table: 'mentions', values: rows, format: 'JSONEachRow' });
    await store.client.insert({
      table: 'mentions',
      values: [{ ...reply('new-r', from + DAY + 600_000, 'new'), ingested_at: at(from + 3 * DAY) }],
      format: 'JSONEachRow',
    });
  });
  afterAll(async () => {
    await store?.close();
    dir.remove();
  });

  it('counts a conversation in the range its first ask falls in, whatever is asked later', async () => {
    const { total } = await care.stats({ brand: 'acme', from, to: from + 5 * DAY });
    expect(total).toMatchObject({ conversations: 2, answered: 1, first_reply_seconds: { p50: 600 }, replies_per_conversation: 1 });
    expect(total.outcome).toMatchObject({ conversations: 1, first_sentiment: -0.6, last_sentiment: 0.7, improved_share: 1 });
    const before = await care.stats({ brand: 'acme', from: from - 3 * DAY, to: from });
    expect(before.total).toMatchObject({ conversations: 1, answered: 1, first_reply_seconds: { p50: 3600 } });
  });

  it('queues the unanswered ask with its text and link, and nothing answered', async () => {
    const queue = await care.queue({ brand: 'acme', since: from, now: from + 5 * DAY, limit: 10 });
    expect(queue.map((q) => [q.conversation_id, q.mention.id, q.author.id])).toEqual([['open', 'open', 'c3']]);
    expect(queue[0]!.mention.text).toBe(base.text);
    expect(queue[0]!.author.handle).toBe(base.author_handle);
  });
});
