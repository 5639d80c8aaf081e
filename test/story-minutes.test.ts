import { describe, expect, it } from 'vitest';
import { StoryStore, loadMigrations, mentionToRow, mentionsEnrichedTopic, migrate } from '@earshot/shared';
import { migratedStoreForSuite, quietLogger } from './helpers.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 20, 8, 0);
const at = (minute: number) => new Date(T0 + minute * MIN).toISOString().replace('T', ' ').replace('Z', '');

/**
 * The stories' per-minute counts (story_stats, filled by a view as mentions are stored)
 * as the emerging_story detector reads them, on the real engine (chDB): zero-filled series
 * per story active in the last hour, its first mention and label from `stories`, and the
 * brand's new-story series.
 */
describe('StoryStore.minuteSeries', () => {
  const suite = migratedStoreForSuite();
  const base = mentionToRow({ ...mentionsEnrichedTopic.examples[0]!, brands: ['acme'] } as never);
  let n = 0;
  const row = (story: string, minute: number, over: Record<string, unknown> = {}) => ({
    ...base,
    source: 'twitter',
    id: `m${n++}`,
    author_id: `a${n}`,
    conversation_id: '',
    in_reply_to: '',
    intents: [],
    intent_scores: [],
    sentiment_label: 'neutral',
    story_id: story,
    story_label: `label of ${story}`,
    created_at: at(minute),
    ...over,
  });

  it('counts each story per minute, customers only, and tells new stories from old', async () => {
    const { client } = suite.store;
    await client.insert({
      table: 'mentions',
      values: [
        // "old": first seen at minute 0, mentioned again at 170 and 175.
        row('old', 0),
        row('old', 170),
        row('old', 175, { sentiment_label: 'negative' }),
        // "fresh": born at minute 172, three mentions, two negative; the brand's own reply is no count.
        row('fresh', 172, { sentiment_label: 'negative' }),
        row('fresh', 172, { sentiment_label: 'negative' }),
        row('fresh', 174),
        row('fresh', 174, { from_brand: 1 }),
        // "quiet": nothing in the last hour; another brand's story is not acme's.
        row('quiet', 60),
        row('other', 175, { brands: ['globex', 'acme'] }),
      ],
      format: 'JSONEachRow',
    });
    const now = T0 + 175 * MIN + 30_000;
    const s = await new StoryStore(client).minuteSeries('acme', now, 180, { youngMs: 60 * MIN, activeMs: 60 * MIN });
    expect(s.active.map((x) => x.id)).toEqual(['fresh', 'old']);
    const [fresh, old] = s.active as [(typeof s.active)[0], (typeof s.active)[0]];
    // The series end with the minute `now` is in: 180 minutes from minute −4 to 175.
    const index = (minute: number) => minute + 4;
    expect(fresh.total.counts.length).toBe(180);
    expect(fresh.total.start).toBe(T0 - 4 * MIN);
    expect([fresh.total.counts[index(172)], fresh.total.counts[index(174)], fresh.negative.counts[index(172)]]).toEqual([2, 1, 2]);
    expect(fresh).toMatchObject({ label: 'label of fresh', firstSeen: T0 + 172 * MIN });
    expect(old.firstSeen).toBe(T0);
    expect([old.total.counts[index(0)], old.total.counts[index(170)], old.negative.counts[index(175)]]).toEqual([1, 1, 1]);
    // Young (under an hour old when mentioned): the first mentions of each story, and all of fresh's.
    const young = Array.from(s.young.counts);
    expect(young[index(0)]).toBe(1);
    expect(young[index(60)]).toBe(1);
    expect(young[index(170)]).toBe(0);
    expect([young[index(172)], young[index(174)]]).toEqual([2, 1]);
    expect(young.reduce((a, b) => a + b, 0)).toBe(5);
  });

  it("a story only the brand's own replies mention is no story rising", async () => {
    const { client } = suite.store;
    await client.insert({ table: 'mentions', values: [row('replies', 174, { from_brand: 1 }), row('replies', 175, { from_brand: 1 })], format: 'JSONEachRow' });
    const s = await new StoryStore(client).minuteSeries('acme', T0 + 175 * MIN + 30_000, 180, { youngMs: 60 * MIN, activeMs: 60 * MIN });
    expect(s.active.map((x) => x.id)).not.toContain('replies');
  });

  it('migration 021 counts the stories stored before it again, and keeps the hourly counts of hours whose mentions are gone', async () => {
    const { client, database } = suite.store;
    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS before_021' });
    await client.command({ query: 'USE before_021' });
    try {
      await migrate(client, quietLogger(), { migrations: loadMigrations().filter((m) => m.version < 21) });
      await client.insert({
        table: 'mentions',
        values: [row('kept', 0), row('kept', 5, { source: 'reddit', sentiment_label: 'negative' }), row('kept', 65, { from_brand: 1 })],
        format: 'JSONEachRow',
      });
      // Two hours before, aged out of `mentions`: only its hourly counts are left.
      await client.insert({
        table: 'story_stats_1h',
        values: [{ brand: 'acme', story_id: 'kept', hour: at(-120), source: 'news', mentions: 4, negative: 1, neutral: 3, positive: 0, complaints: 2 }],
        format: 'JSONEachRow',
      });
      await migrate(client, quietLogger());
      const store = new StoryStore(client);
      const story = await store.get('kept');
      expect(story?.timeline.map((t) => [t.hour, t.mentions, t.negative])).toEqual([
        [new Date(T0 - 120 * MIN).toISOString(), 4, 1],
        [new Date(T0).toISOString(), 2, 1],
        [new Date(T0 + 60 * MIN).toISOString(), 1, 0],
      ]);
      expect(story?.sources).toEqual([
        { source: 'news', mentions: 4 },
        { source: 'twitter', mentions: 2 },
        { source: 'reddit', mentions: 1 },
      ]);
      // Per minute, customers only: the brand's reply at minute 65 is no count.
      const s = await store.minuteSeries('acme', T0 + 65 * MIN, 70, { youngMs: 60 * MIN, activeMs: 70 * MIN });
      const kept = s.active.find((x) => x.id === 'kept');
      expect(Array.from(kept?.total.counts ?? []).reduce((a, b) => a + b, 0)).toBe(2);
      expect(Array.from(kept?.negative.counts ?? []).reduce((a, b) => a + b, 0)).toBe(1);
      const tables = await (
        await client.query({
          query: "SELECT name FROM system.tables WHERE database = 'before_021' AND name LIKE 'story_stats%' ORDER BY name",
          format: 'JSONEachRow',
        })
      ).json<{ name: string }>();
      expect(tables.map((t) => t.name)).toEqual(['story_stats', 'story_stats_mv']);
    } finally {
      await client.command({ query: `USE ${database}` });
    }
  });
});
