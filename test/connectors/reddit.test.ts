import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TEXT_CHARS, ManualClock } from '@earshot/shared';
import { loadBrandsFile, type ConnectorRunner } from '@earshot/ingest';
import { connectorHarness, type ConnectorHarness } from './harness.js';
import { startFakeApi, type FakeApi } from './fake-api.js';
import { REDDIT_UA, redditUserAgent } from './poll-sources.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const env = { EARSHOT_REDDIT_CLIENT_ID: 'id', EARSHOT_REDDIT_CLIENT_SECRET: 'secret' };

/**
 * Reddit as it answers (https://www.reddit.com/dev/api, https://github.com/reddit-archive/reddit/wiki/OAuth2):
 * a private subreddit is `403 {"reason": "private"}`, a banned or missing one 404; an
 * access token can be refused (401) before its `expires_in`; the User-Agent rule.
 */
describe('reddit: per-feed failures, token refusal, User-Agent', () => {
  let h: ConnectorHarness;
  let api: FakeApi;
  let runner: ConnectorRunner;
  const clock = new ManualClock(T0);
  let valid = 'tok1';
  let issued = 0;
  const posts: { name: string; sub: string; t: number; body?: string }[] = [];
  const post = (sub: string, t: number, body?: string) => {
    const name = `t3_${sub}${posts.length}`;
    posts.push({ name, sub, t, body });
    return name;
  };
  const health = () => (runner.health().check().detail as { state: string; notice: { message: string } | null }[])[0]!;
  const poll = () => runner.pollOnce('acme.reddit');

  beforeAll(async () => {
    h = await connectorHarness();
    api = await startFakeApi((req) => {
      const throttled = redditUserAgent(req);
      if (throttled) return throttled;
      if (req.path === '/api/v1/access_token')
        return { json: { access_token: (valid = `tok${++issued}`), token_type: 'bearer', expires_in: 86400, scope: '*' } };
      if (req.headers.authorization !== `Bearer ${valid}`) return { status: 401, json: { message: 'Unauthorized', error: 401 } };
      if (req.path.startsWith('/r/secretsub/')) return { status: 403, json: { reason: 'private', message: 'Forbidden', error: 403 } };
      const sub = /^\/r\/(\w+)\/new$/.exec(req.path)?.[1];
      const children = posts
        .filter((p) => p.sub === sub)
        .reverse()
        .map((p) => ({
          kind: 't3',
          data: {
            id: p.name.slice(3),
            name: p.name,
            title: `acme ${p.name}`,
            selftext: p.body ?? '',
            author: 'someone',
            created_utc: p.t / 1000,
            permalink: `/r/${p.sub}/comments/${p.name}/x/`,
            subreddit: p.sub,
            score: 1,
            num_comments: 0,
          },
        }));
      return { json: { kind: 'Listing', data: { after: null, dist: children.length, children, before: null } } };
    });
    const yaml = `brands:\n  - id: acme\n    query: acme\n    sources:\n      - { type: reddit, subreddits: [acme, secretsub], comments: false, user_agent: "${REDDIT_UA}", base_url: "${api.url}", auth_url: "${api.url}" }\n`;
    runner = h.runner(yaml, { env, clock });
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await h?.close();
  });

  it("the User-Agent is required, in Reddit's format", () => {
    const yaml = (ua: string) => `brands:\n  - id: acme\n    sources:\n      - { type: reddit, query: acme${ua} }\n`;
    expect(() => loadBrandsFile('b.yaml', yaml(''), env)).toThrow(/user_agent/);
    expect(() => loadBrandsFile('b.yaml', yaml(', user_agent: "earshot/1.0"'), env)).toThrow(/<platform>:<app id>:<version> \(by \/u\/<reddit username>\)/);
  });

  it('a private subreddit is skipped with a notice; the other feeds are read', async () => {
    const a = post('acme', T0 - 60_000);
    post('secretsub', T0 - 60_000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(h.ids()).toEqual([a]);
    expect(health().notice?.message).toMatch(/r\/secretsub\/new is not readable/);
    expect(api.requests.every((r) => r.headers['user-agent'] === REDDIT_UA)).toBe(true);
  });

  it('a token refused before it expires is fetched again once, and the poll goes on', async () => {
    valid = 'revoked';
    const b = post('acme', clock.now() - 1000);
    clock.advance(60_000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(h.ids().at(-1)).toBe(b);
    expect(issued).toBe(2);
  });

  it('a self post longer than a mention may be is kept, cut and flagged, not rejected', async () => {
    const body = `acme ${'the app logs me out every hour, '.repeat(1500)}`;
    const c = post('acme', clock.now() - 1000, body);
    clock.advance(60_000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    const m = h.landed.find((x) => x.id === c)!;
    expect(m.text).toHaveLength(MAX_TEXT_CHARS);
    expect(body.startsWith(m.text.slice(0, -1))).toBe(true);
    expect(m.metadata).toMatchObject({ truncated: true, original_length: body.length });
    expect(h.letters).toHaveLength(0);
  });
});
