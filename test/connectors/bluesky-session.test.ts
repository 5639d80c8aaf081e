import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@earshot/shared';
import { loadBrandsFile, type ConnectorRunner } from '@earshot/ingest';
import { connectorHarness, type ConnectorHarness } from './harness.js';
import { startFakeApi, type FakeApi } from './fake-api.js';
import { fakeBlueskyPds } from './fake-bluesky.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const env = { EARSHOT_BLUESKY_IDENTIFIER: 'earshot.bsky.social', EARSHOT_BLUESKY_APP_PASSWORD: 'app-pass' };

/**
 * Bluesky search the way the service behaves since January 2025: only with a session,
 * through the account's PDS, with access tokens that expire after two hours and a
 * per-account limit on new sessions (see fake-bluesky.ts for the documentation).
 */
describe('bluesky search: sessions as the PDS gives them', () => {
  let h: ConnectorHarness;
  let api: FakeApi;
  let runner: ConnectorRunner;
  const clock = new ManualClock(T0);
  let url = '';
  const pds = fakeBlueskyPds({ url: () => url, identifier: env.EARSHOT_BLUESKY_IDENTIFIER, password: env.EARSHOT_BLUESKY_APP_PASSWORD });
  const posts: { uri: string; t: number }[] = [];
  let remaining = 2999;
  const post = (t: number) => {
    const n = posts.length;
    posts.push({ uri: `at://did:plc:p${n}/app.bsky.feed.post/3l${n}`, t });
    return posts.at(-1)!.uri;
  };
  const view = (p: { uri: string; t: number }) => ({
    uri: p.uri,
    cid: 'c',
    author: { did: p.uri.split('/')[2], handle: 'someone.bsky.social' },
    record: { $type: 'app.bsky.feed.post', text: 'acme again', createdAt: new Date(p.t).toISOString() },
    indexedAt: new Date(p.t).toISOString(),
    likeCount: 0,
    replyCount: 0,
    repostCount: 0,
    quoteCount: 0,
  });
  const poll = () => runner.pollOnce('acme.bluesky');
  const health = () => (runner.health().check().detail as { state: string; next_attempt_at: string | null }[])[0]!;

  beforeAll(async () => {
    h = await connectorHarness();
    api = await startFakeApi((req) => {
      const now = clock.now();
      const refused = pds.route(req, now);
      if (refused) return refused;
      const since = Date.parse(req.query.get('since')!);
      const hits = posts.filter((p) => p.t >= since && p.t <= now).reverse();
      return {
        json: { posts: hits.map(view) },
        headers: {
          'ratelimit-limit': '3000',
          'ratelimit-remaining': String(remaining),
          'ratelimit-reset': String(Math.floor(now / 1000) + (remaining === 0 ? 3600 : 300)),
        },
      };
    });
    url = api.url;
    runner = h.runner(`brands:\n  - id: acme\n    query: acme\n    sources:\n      - { type: bluesky, query: acme, auth_url: "${api.url}" }\n`, { env, clock });
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await h?.close();
  });

  it('credentials are required: anonymous search is refused by Bluesky', () => {
    expect(() => loadBrandsFile('brands.yaml', 'brands:\n  - id: acme\n    query: acme\n    sources:\n      - { type: bluesky, query: acme }\n', {})).toThrow(
      /bluesky needs EARSHOT_BLUESKY_IDENTIFIER and EARSHOT_BLUESKY_APP_PASSWORD/,
    );
  });

  it('searches through the PDS with the session, proxied to the AppView', async () => {
    const uri = post(T0 - 60_000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(h.ids()).toEqual([uri]);
    const search = api.requests.find((r) => r.path === '/xrpc/app.bsky.feed.searchPosts')!;
    expect(search.headers['atproto-proxy']).toBe('did:web:api.bsky.app#bsky_appview');
    expect(pds.calls.createSession).toBe(1);
  });

  it('three hours later the access token has expired: it is refreshed, not a new session', async () => {
    for (let hour = 1; hour <= 3; hour++) {
      clock.advance(3_600_000);
      post(clock.now() - 1000);
      expect(await poll()).toBe('ok');
    }
    await h.bus.whenIdle();
    expect(h.ids()).toHaveLength(4);
    expect(pds.calls.refreshSession).toBeGreaterThanOrEqual(1);
    expect(pds.calls.createSession).toBe(1);
  });

  it('when the refresh token is refused too (password changed, say), one new session', async () => {
    pds.revokeAll();
    clock.advance(60_000);
    post(clock.now() - 1000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(h.ids()).toHaveLength(5);
    expect(pds.calls.createSession).toBe(2);
  });

  it('ratelimit-remaining 0: no request before ratelimit-reset (epoch seconds, as Bluesky sends it)', async () => {
    remaining = 0;
    clock.advance(60_000);
    expect(await poll()).toBe('ok');
    const before = api.requests.length;
    clock.advance(60_000);
    expect(await poll()).toBe('rate_limited');
    expect(Date.parse(health().next_attempt_at!)).toBeGreaterThan(clock.now());
    expect(api.requests.length).toBe(before);
    remaining = 100;
    clock.advance(3_600_000);
    expect(await poll()).toBe('ok');
  });
});
