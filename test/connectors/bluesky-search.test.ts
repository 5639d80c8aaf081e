import { describe, expect, it } from 'vitest';
import { harnessForSuite } from './harness.js';
import { oneSource, teardown } from './one-source.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const iso = (t: number) => new Date(t).toISOString();

const h = harnessForSuite();

// https://docs.bsky.app/docs/api/app-bsky-feed-search-posts : `since` is "expected to use
// 'sortAt' timestamp, which may not match 'createdAt'"; sortAt is the earlier of the
// record's createdAt and indexedAt (https://docs.bsky.app/docs/advanced-guides/timestamps),
// so a post whose client back-dates it sorts at the date it claims. The fake filters and
// orders so (poll-sources.ts).
describe('bluesky: posts whose createdAt is earlier than when Bluesky indexed them', () => {
  it('back-dated within overlap_minutes: lands once; back-dated further: search does not show it (the documented blind spot)', async () => {
    const s = await oneSource(h, T0, 'bluesky', (reply) => reply);
    try {
      const first = s.add(T0 - 60_000);
      expect(await s.poll()).toBe('ok');
      s.clock.advance(5 * 60_000);
      const backDated = (created: number) => {
        const id = s.add(s.clock.now() - 1000);
        (s.held.at(-1)!.raw as { record: { createdAt: string } }).record.createdAt = iso(created);
        return id;
      };
      const near = backDated(T0 - 6 * 60_000);
      const far = backDated(T0 - 2 * 86_400_000);
      expect(await s.poll()).toBe('ok');
      s.clock.advance(5 * 60_000);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(h.ids().sort()).toEqual([first, near].sort());
      expect(h.ids()).not.toContain(far);
    } finally {
      await teardown(s);
    }
  });
});
