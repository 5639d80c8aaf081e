import { describe, expect, it } from 'vitest';
import { harnessForSuite } from './harness.js';
import { oneSource, teardown } from './one-source.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;

const h = harnessForSuite();
const landed = () => h.landed.filter((m) => m.source === 'rss').map((m) => m.id);

// RSS 2.0 (https://www.rssboard.org/rss-specification#ltpubdategtSubelementOfLtitemgt):
// `pubDate` "indicates when the item was published", not when the feed added it, and
// `guid` "uniquely identifies the item". News sites and Google Alerts add items late with
// their original date, so a new guid is a new item whatever its date.
describe('rss: items added to the feed late, with an older pubDate', () => {
  it('an item back-dated by three days, new to the feed, lands exactly once', async () => {
    const s = await oneSource(h, T0, 'rss', (reply) => reply);
    try {
      const tooOld = s.add(T0 - 30 * 3_600_000); // before the first poll's 24 h look-back
      const first = [s.add(T0 - 3_600_000), s.add(T0 - 60_000)];
      expect(await s.poll()).toBe('ok');
      s.clock.advance(15 * 60_000);
      const backDated = s.add(T0 - 3 * DAY);
      expect(await s.poll()).toBe('ok');
      s.clock.advance(15 * 60_000);
      const fresh = s.add(s.clock.now() - 1000);
      expect(await s.poll()).toBe('ok');
      s.clock.advance(15 * 60_000);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(landed().sort()).toEqual([...first, backDated, fresh].sort());
      expect(landed()).not.toContain(tooOld);
    } finally {
      h.landed.length = 0;
      await teardown(s);
    }
  });

  it('an item with no guid, id or link is dead-lettered once, not on every poll', async () => {
    const s = await oneSource(h, T0, 'rss', (reply) => reply, undefined, { id: 'acme.rss.noid' });
    try {
      s.add(T0 - 60_000);
      expect(await s.poll()).toBe('ok');
      s.held.push({ n: s.held.length, t: T0, raw: s.c.broken(s.held.length, T0) });
      const before = h.letters.length;
      for (let i = 0; i < 3; i++) {
        s.clock.advance(15 * 60_000);
        expect(await s.poll()).toBe('ok');
      }
      await h.bus.whenIdle();
      expect(h.letters.slice(before).map((l) => l.reason)).toEqual(['feed item has no guid, id or link']);
    } finally {
      h.landed.length = 0;
      await teardown(s);
    }
  });
});
