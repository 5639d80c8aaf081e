import { describe, expect, it } from 'vitest';
import { harnessForSuite } from './harness.js';
import { oneSource, teardown } from './one-source.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');

const h = harnessForSuite();
const landed = () => h.landed.filter((m) => m.source === 'mastodon').map((m) => m.id);

// https://docs.joinmastodon.org/methods/timelines/#tag : `min_id` returns the statuses just
// newer than an id; ids are snowflakes (mastodon/mastodon lib/mastodon/snowflake.rb: ms since
// the epoch << 16 | sequence), and a status fetched rather than delivered to the inbox (a
// boosted original, a reply-thread fill) gets its id from its original publish time
// (ProcessingWorker sets override_timestamps only for inbox deliveries), so it shows up
// below ids already read. The fake (poll-sources.ts) answers min_id by comparing ids.
describe('mastodon: statuses that arrive with an id below the newest seen', () => {
  it('a boosted original fetched late, 5 minutes older than the newest seen, lands exactly once', async () => {
    const s = await oneSource(h, T0, 'mastodon', (reply) => reply);
    try {
      const first = [s.add(T0 - 120_000), s.add(T0 - 60_000)];
      expect(await s.poll()).toBe('ok');
      s.clock.advance(60_000);
      const late = s.add(T0 - 5 * 60_000);
      const freshAt = s.clock.now() - 1000;
      const fresh = s.add(freshAt);
      expect(await s.poll()).toBe('ok');
      s.clock.advance(60_000);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(landed().sort()).toEqual([...first, late, fresh].sort());
      // The look-back is an id made from a time (overlap_minutes, 10, before the newest seen).
      const minIds = s.api.requests.map((r) => r.query.get('min_id')).filter((v): v is string => v !== null);
      expect(minIds.at(-1)).toBe(String(BigInt(freshAt - 600_000) << 16n));
    } finally {
      h.landed.length = 0;
      await teardown(s);
    }
  });

  it('a look-back window fuller than max_pages still gains ground every poll: everything lands once', async () => {
    const s = await oneSource(h, T0, 'mastodon', (reply) => reply, undefined, { max_pages: 1 });
    try {
      const first = s.add(T0 - 60_000);
      expect(await s.poll()).toBe('ok');
      // 200 statuses in the minute after: five pages of 40, one page a poll.
      const burst = Array.from({ length: 200 }, (_, i) => s.add(T0 + 1000 + i * 100));
      s.clock.advance(60_000);
      for (let i = 0; i < 7; i++) {
        expect(await s.poll()).toBe('ok');
        s.clock.advance(60_000);
      }
      await h.bus.whenIdle();
      expect(landed().length).toBe(201);
      expect(new Set(landed())).toEqual(new Set([first, ...burst]));
    } finally {
      h.landed.length = 0;
      await teardown(s);
    }
  });
});
