import { describe, expect, it } from 'vitest';
import { ClickHouseCheckpoints } from '../../services/ingest/src/connectors/checkpoints.js';
import { harnessForSuite } from './harness.js';
import { oneSource, teardown, type OneSource } from './one-source.js';
import { GDELT_UPDATE_MS, gdeltArticle } from './poll-sources.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
/** One 15-minute GDELT update: every article first seen in it carries this `seendate`. */
const UPDATE = Date.parse('2026-11-20T11:45:00Z');

const h = harnessForSuite();

const backlogOf = async (s: OneSource) => {
  const cp = await new ClickHouseCheckpoints(h.store.client, s.clock).load('acme.gdelt');
  return (cp?.cursor.backlog as unknown[] | undefined) ?? [];
};

// https://blog.gdeltproject.org/gdelt-doc-2-0-api-debuts/ : at most 250 articles a call, no
// paging token, newest first; GDELT updates every 15 minutes and `seendate` is the update
// that saw an article, so the articles of one update cannot be told apart by time. The
// fake (poll-sources.ts, gdeltRoute) answers so and honours sourcelang:, sourcecountry:,
// domainis: and their negation with "-".
describe('gdelt: more than 250 articles in one 15-minute update', () => {
  it('all 400 of the update and the 50 older articles land once, in bounded calls, and the backlog drains', async () => {
    const s = await oneSource(h, T0, 'gdelt', (reply) => reply);
    try {
      const older = Array.from({ length: 50 }, (_, i) => s.add(UPDATE - 60_000 - i * 60_000));
      const burst = Array.from({ length: 400 }, (_, i) => s.add(UPDATE + 60_000 + i * 100));
      const backlogs: number[] = [];
      const calls: number[] = [];
      for (let poll = 0; poll < 3; poll++) {
        const before = s.api.requests.length;
        expect(await s.poll()).toBe('ok');
        calls.push(s.api.requests.length - before);
        backlogs.push((await backlogOf(s)).length);
        s.clock.advance(60_000);
      }
      await h.bus.whenIdle();
      const landed = h.landed.filter((m) => m.source === 'news').map((m) => m.id);
      expect(landed.length).toBe(450);
      expect(new Set(landed)).toEqual(new Set([...older, ...burst]));
      // max_pages (10) for the backlog and 10 for new articles: never more a poll.
      expect(Math.max(...calls)).toBeLessThanOrEqual(20);
      expect(backlogs.at(-1)).toBe(0);
      expect(s.health().notice).toBeNull();
    } finally {
      h.landed.length = 0;
      await teardown(s);
    }
  });

  it('an update with more than 250 articles of one outlet: 250 land, the loss is reported, and the backlog does not grow', async () => {
    const s = await oneSource(h, T0, 'gdelt', (reply) => reply);
    try {
      for (let i = 0; i < 300; i++) {
        const n = s.held.length;
        const t = UPDATE + 60_000 + i * 100;
        s.held.push({ n, t, raw: gdeltArticle(n, t, { language: 'English', sourcecountry: 'United States', domain: 'wire.example.com' }) });
      }
      const backlogs: number[] = [];
      for (let poll = 0; poll < 3; poll++) {
        expect(await s.poll()).toBe('ok');
        backlogs.push((await backlogOf(s)).length);
        s.clock.advance(GDELT_UPDATE_MS);
      }
      await h.bus.whenIdle();
      const landed = h.landed.filter((m) => m.source === 'news').map((m) => m.id);
      expect(landed.length).toBe(250);
      expect(new Set(landed).size).toBe(250);
      expect(backlogs).toEqual([0, 0, 0]);
      expect(s.health().notice?.message).toMatch(/more than 250 articles from one outlet.*only 250 could be read/);
    } finally {
      h.landed.length = 0;
      await teardown(s);
    }
  });
});
