import { describe, expect, it } from 'vitest';
import { harnessForSuite } from './harness.js';
import { oneSource, teardown } from './one-source.js';
import type { Reply } from './fake-api.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');

const h = harnessForSuite();

// https://docs.github.com/en/rest/search/search#about-search : "provides up to 1,000 results
// for each search"; the fakes answer 422 (REST) or stop paging (GraphQL) past that.
describe.each(['github', 'github_discussions'])('%s: more than 1,000 results in one window', (type) => {
  it('every result lands once: the query is narrowed by creation time past the cap', async () => {
    const s = await oneSource(h, T0, type, (reply) => reply, undefined, { max_pages: 20 });
    try {
      const ids = Array.from({ length: 1150 }, (_, i) => s.add(T0 - 60_000 - i * 60_000));
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      const landed = h.landed.filter((m) => m.source === 'github').map((m) => m.id);
      expect(new Set(landed)).toEqual(new Set(ids));
      expect(s.api.requests.every((r) => Number(r.query.get('page') ?? 1) * 100 <= 1000)).toBe(true);
    } finally {
      h.landed.length = 0;
      await teardown(s);
    }
  });
});

describe('github rate limits', () => {
  // https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-primary-rate-limit :
  // 403 (or 429) with x-ratelimit-remaining 0 and x-ratelimit-reset in UTC epoch seconds.
  it('REST: a spent primary limit waits until x-ratelimit-reset (epoch seconds)', async () => {
    const reset = Math.floor(T0 / 1000) + 600;
    const s = await oneSource(h, T0, 'github', (reply) => reply);
    try {
      s.api.failNext({
        status: 403,
        headers: { 'x-ratelimit-limit': '30', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'x-ratelimit-resource': 'search' },
        json: { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api' },
      });
      expect(await s.poll()).toBe('rate_limited');
      expect(s.health().next_attempt_at).toBe(new Date(reset * 1000).toISOString());
      s.add(T0 - 1000);
      s.clock.advance(601_000);
      expect(await s.poll()).toBe('ok');
    } finally {
      await teardown(s);
    }
  });

  // https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api :
  // over the limit, GraphQL answers with `errors[].type` RATE_LIMITED and the x-ratelimit-* headers.
  it('GraphQL: RATE_LIMITED inside a 200 answer is a rate limit, not a malformed answer', async () => {
    const reset = Math.floor(T0 / 1000) + 900;
    const s = await oneSource(h, T0, 'github_discussions', (reply) => reply);
    try {
      s.api.failNext({
        status: 200,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'x-ratelimit-resource': 'graphql' },
        json: { errors: [{ type: 'RATE_LIMITED', message: 'API rate limit already exceeded for user ID 1.' }] },
      });
      expect(await s.poll()).toBe('rate_limited');
      expect(s.health()).toMatchObject({ state: 'rate_limited', next_attempt_at: new Date(reset * 1000).toISOString() });
      expect(s.health().last_error).toMatch(/RATE_LIMITED|rate limit already exceeded/);
      s.add(T0 - 1000);
      s.clock.advance(901_000);
      expect(await s.poll()).toBe('ok');
    } finally {
      await teardown(s);
    }
  });

  it("GraphQL: another error inside a 200 answer fails the poll with GitHub's words", async () => {
    const s = await oneSource(h, T0, 'github_discussions', (reply) => reply);
    try {
      s.api.failNext({ status: 200, json: { errors: [{ type: 'INVALID_SEARCH', message: "Invalid search query: 'created:' is not a valid qualifier" }] } });
      expect(await s.poll()).toBe('failed');
      expect(s.health().last_error).toMatch(/GitHub GraphQL refused the search: Invalid search query/);
    } finally {
      await teardown(s);
    }
  });
});

// https://docs.github.com/en/rest/search/search#timeouts-and-incomplete-results : a search
// that runs too long answers the matches found so far with `incomplete_results: true`, and
// "more results might have been found".
describe('github: a search cut short by its time limit (incomplete_results)', () => {
  const cutShort = (times: { left: number }) => (reply: Reply) => {
    const body = reply.json as { items?: unknown[]; incomplete_results?: boolean } | undefined;
    if (times.left <= 0 || !body?.items) return reply;
    times.left--;
    return { ...reply, json: { ...body, items: body.items.slice(0, 1), incomplete_results: true } };
  };

  it('is asked again: every result lands', async () => {
    const times = { left: 1 };
    const s = await oneSource(h, T0, 'github', cutShort(times), undefined, { id: 'acme.github.retried' });
    try {
      const ids = [s.add(T0 - 60_000), s.add(T0 - 120_000), s.add(T0 - 180_000)];
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(h.ids().sort()).toEqual([...ids].sort());
      expect(s.api.requests).toHaveLength(2);
    } finally {
      h.landed.length = 0;
      await teardown(s);
    }
  });

  it('cut short three times in a row: the poll fails and says why, and the next poll loses nothing', async () => {
    const times = { left: 3 };
    const s = await oneSource(h, T0, 'github', cutShort(times), undefined, { id: 'acme.github.failed' });
    try {
      const ids = [s.add(T0 - 60_000), s.add(T0 - 120_000)];
      expect(await s.poll()).toBe('failed');
      expect(s.health().last_error).toMatch(/timed out \(incomplete_results\) 3 times/);
      await h.bus.whenIdle();
      expect(h.ids()).toEqual([]);
      s.clock.advance(60_000);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(h.ids().sort()).toEqual([...ids].sort());
    } finally {
      h.landed.length = 0;
      await teardown(s);
    }
  });
});
