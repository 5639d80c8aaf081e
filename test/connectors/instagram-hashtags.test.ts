import { describe, expect, it } from 'vitest';
import { BrandsFileError, loadBrandsFile } from '@earshot/ingest';
import { harnessForSuite } from './harness.js';
import { oneSource, teardown } from './one-source.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ENV = { EARSHOT_INSTAGRAM_TOKEN: 'IGQ_test' };

const h = harnessForSuite();

const source = (hashtags: string[], user = '17841405309211844') => JSON.stringify({ type: 'instagram_hashtags', user_id: user, hashtags });
const brandsFile = (...brands: [string, string][]) =>
  `brands:\n${brands.map(([id, src]) => `  - id: ${id}\n    query: "${id}"\n    sources:\n      - ${src}\n`).join('')}`;
const tags = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
/** The unique hashtags the fake was asked about in [from, to): what counts against Instagram's 30 a week. */
const searched = (s: Awaited<ReturnType<typeof oneSource>>) =>
  new Set(s.api.requests.filter((r) => r.path.endsWith('/ig_hashtag_search')).map((r) => r.query.get('q')));

// https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/hashtag-search :
// "You can query a maximum of 30 unique hashtags on behalf of an Instagram Business or
// Creator Account within a rolling, 7 day period. Once you query a hashtag, it will count
// against this limit for 7 days. Subsequent queries on the same hashtag within this time
// frame will not count against your limit, and will not reset its initial query 7 day timer."
describe('instagram_hashtags: the 30 hashtags a week of an account', () => {
  it('the brands file refuses more than 30 unique hashtags for one account, across brands', () => {
    const ok = brandsFile(['acme', source(tags('acme', 20))], ['beta', source([...tags('acme', 10), ...tags('beta', 10)])]);
    expect(loadBrandsFile('brands.yaml', ok, ENV).sources).toHaveLength(2);
    const over = brandsFile(['acme', source(tags('acme', 20))], ['beta', source(tags('beta', 11))]);
    expect(() => loadBrandsFile('brands.yaml', over, ENV)).toThrow(BrandsFileError);
    expect(() => loadBrandsFile('brands.yaml', over, ENV)).toThrow(
      /31 unique hashtags in 7 days .* account 17841405309211844 across acme\.instagram_hashtags, beta\.instagram_hashtags; the service allows 30/,
    );
    // Another account has its own 30.
    expect(
      loadBrandsFile('brands.yaml', brandsFile(['acme', source(tags('acme', 20))], ['beta', source(tags('beta', 11), '17841400000000001')]), ENV).sources,
    ).toHaveLength(2);
    expect(() => loadBrandsFile('brands.yaml', brandsFile(['acme', source(tags('acme', 31))]), ENV)).toThrow(/at most 30 unique hashtags in 7 days/);
    expect(() => loadBrandsFile('brands.yaml', brandsFile(['acme', source(['#acme', 'ACME'])]), ENV)).toThrow(/a hashtag is listed twice/);
    expect(() => loadBrandsFile('brands.yaml', brandsFile(['acme', source(['acme 🚀'])]), ENV)).toThrow(/no spaces or emoji/);
  });

  it('hashtags swapped in the file wait until the account has room: the window is kept in the checkpoint', async () => {
    const first = [...tags('old', 29), 'acme'];
    const id = { id: 'acme.ig.window' };
    let s = await oneSource(h, T0, 'instagram_hashtags', (r) => r, undefined, { ...id, hashtags: first });
    try {
      expect(await s.poll()).toBe('ok');
      expect(searched(s).size).toBe(30);
      await s.runner.stop();
      await s.api.close();
      // A day later the file names a new hashtag beside #acme: the account has queried 30 this week.
      s = await oneSource(h, T0, 'instagram_hashtags', (r) => r, undefined, { ...id, hashtags: ['acme', 'acmefail'] });
      s.clock.advance(DAY);
      const failTag = s.held.length;
      s.held.push({ n: failTag, t: s.clock.now() - 1000, raw: { ...(s.c.item(failTag, s.clock.now() - 1000) as object), caption: '#acmefail broken again' } });
      const tagged = s.add(s.clock.now() - 2000);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(searched(s).has('acmefail')).toBe(false);
      expect(h.ids()).toContain(tagged);
      expect(s.health().notice?.message).toBe(
        `#acmefail not searched: this account has queried 30 unique hashtags in the last 7 days (Instagram's limit); the next place frees at ${new Date(T0 + 7 * DAY).toISOString()}`,
      );
      // Seven days after the first queries the places free, and #acmefail is read (its media of the last 24 h).
      s.clock.advance(6 * DAY);
      const later = s.held.length;
      s.held.push({
        n: later,
        t: s.clock.now() - 1000,
        raw: { ...(s.c.item(later, s.clock.now() - 1000) as object), id: 'ig-fail-2', caption: '#acmefail still broken' },
      });
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(searched(s).has('acmefail')).toBe(true);
      expect(h.ids()).toContain('ig-fail-2');
      expect(h.landed.find((m) => m.id === 'ig-fail-2')).toMatchObject({ brands: ['acme'], metadata: { hashtag: 'acmefail' } });
    } finally {
      await teardown(s);
    }
  });
});

// https://developers.facebook.com/docs/instagram-platform/instagram-graph-api/reference/ig-hashtag/recent-media :
// recent_media returns only media published within the last 24 hours.
describe('instagram_hashtags: recent_media covers 24 hours', () => {
  it('polls more than 24 hours apart say what could not be read; media tagged with two hashtags lands once', async () => {
    const s = await oneSource(h, T0, 'instagram_hashtags', (r) => r, undefined, { id: 'acme.ig.gap', hashtags: ['acme', 'acmefail'] });
    try {
      const n = s.held.length;
      s.held.push({ n, t: T0 - 1000, raw: { ...(s.c.item(n, T0 - 1000) as object), id: 'ig-both', caption: '#acme #acmefail the app crashed' } });
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(h.ids().filter((id) => id === 'ig-both')).toHaveLength(1);
      const lost = 'ig-lost';
      s.held.push({ n: n + 1, t: T0 + 2 * HOUR, raw: { ...(s.c.item(n + 1, T0 + 2 * HOUR) as object), id: lost } });
      s.clock.advance(30 * HOUR);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(h.ids()).not.toContain(lost);
      expect(s.health().notice?.message).toBe(
        `the last poll was at ${new Date(T0).toISOString()}: media tagged before ${new Date(T0 + 6 * HOUR).toISOString()} has left recent_media's 24 hours and cannot be read`,
      );
    } finally {
      await teardown(s);
    }
  });

  it('a hashtag Instagram does not know is said, and the others are read', async () => {
    const s = await oneSource(h, T0, 'instagram_hashtags', (r) => r, undefined, { id: 'acme.ig.unknown', hashtags: ['nosuchtag', 'acme'] });
    try {
      const id = s.add(T0 - 1000);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(h.ids()).toContain(id);
      expect(s.health().notice?.message).toBe('Instagram knows no hashtag #nosuchtag');
    } finally {
      await teardown(s);
    }
  });
});
