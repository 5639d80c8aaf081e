import { describe, expect, it } from 'vitest';
import { harnessForSuite } from './harness.js';
import { oneSource, teardown } from './one-source.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const chTime = (t: number) => new Date(t).toISOString().replace('T', ' ').replace('Z', '');

const h = harnessForSuite();

// Reddit's Data API terms ask that content deleted on Reddit, and the ids of deleted
// accounts, be deleted by those who stored it. https://www.reddit.com/dev/api#GET_api_info
// looks things up by fullname, at most 100 a call; a deleted post or comment (or one whose
// account was deleted) comes back with author "[deleted]", a removed one with
// `removed_by_category` set. The fake (poll-sources.ts) answers /api/info from the items it holds.
describe('reddit: deletions over the whole stored life, and the retention option', () => {
  it('every stored Reddit mention is re-checked in runs of ids_per_run, 100 ids a call; the deleted and those past retention_days are erased', async () => {
    const s = await oneSource(h, T0, 'reddit', (reply) => reply, undefined, { recheck: { ids_per_run: 100, retention_days: 40 } });
    try {
      // 250 stored mentions, made over the last 50 days: far older than the 6-hour refresh window.
      const stored = Array.from({ length: 250 }, (_, i) => ({ id: s.add(T0 - DAY - i * 4.6 * 3_600_000), t: T0 - DAY - i * 4.6 * 3_600_000 }));
      await h.store.client.insert({
        table: 'mentions',
        values: stored.map((m) => ({ source: 'reddit', id: m.id, created_at: chTime(m.t), text: 'acme', author_id: 't2_x', ingested_at: chTime(T0) })),
        format: 'JSONEachRow',
      });
      const data = (i: number) => (s.held[i]!.raw as { data: Record<string, unknown> }).data;
      // Deleted by its author or with its account (author "[deleted]"), removed by moderators.
      const deleted = [3, 60, 120, 199].map((i) => ((data(i).author = '[deleted]'), stored[i]!.id));
      const removed = [7, 150].map((i) => ((data(i).removed_by_category = 'moderator'), stored[i]!.id));
      const expired = stored.filter((m) => m.t < T0 - 40 * DAY).map((m) => m.id);
      const young = new Set(stored.filter((m) => m.t >= T0 - 40 * DAY).map((m) => m.id));

      const runs = [];
      for (let i = 0; i < 3; i++) runs.push(await s.runner.sweepOnce('acme.reddit'));
      await h.bus.whenIdle();
      const erased = h.refreshed.filter((u) => u.deleted).map((u) => u.id);
      const expected = new Set([...deleted.filter((id) => young.has(id)), ...removed.filter((id) => young.has(id)), ...expired]);
      expect(new Set(erased)).toEqual(expected);
      expect(erased.length).toBe(expected.size);
      expect(runs.reduce((a, b) => a + b, 0)).toBe(expected.size);
      // Only the young ones are asked about, 100 ids a call at most.
      const info = s.api.requests.filter((r) => r.path === '/api/info').map((r) => r.query.get('id')!.split(','));
      expect(info.every((ids) => ids.length <= 100)).toBe(true);
      expect(new Set(info.flat())).toEqual(young);
      // The end of the store starts the sweep over.
      const before = s.api.requests.length;
      await s.runner.sweepOnce('acme.reddit');
      expect(
        s.api.requests
          .slice(before)
          .find((r) => r.path === '/api/info')
          ?.query.get('id')
          ?.split(',')[0],
      ).toBe([...young].sort()[0]);
    } finally {
      await teardown(s);
    }
  });

  it('recheck: false turns the sweep off', async () => {
    const s = await oneSource(h, T0, 'reddit', (reply) => reply, undefined, { id: 'acme.reddit.nosweep', recheck: false });
    try {
      expect(await s.runner.sweepOnce('acme.reddit.nosweep')).toBe(0);
      expect(s.api.requests).toHaveLength(0);
    } finally {
      await teardown(s);
    }
  });
});
