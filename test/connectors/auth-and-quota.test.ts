import { generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRequest, Reply } from './fake-api.js';
import { ASC_ENV } from './poll-sources.js';
import { harnessForSuite } from './harness.js';
import { oneSource, teardown, type OneSource } from './one-source.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');

// chDB holds one data directory per process: one harness for the file.
const h = harnessForSuite();

// https://developers.google.com/identity/protocols/oauth2#expiration : a revoked or expired
// refresh token is `400 {"error": "invalid_grant"}` from the token endpoint; an access token
// can be refused (401 UNAUTHENTICATED) before its expires_in.
describe('google sources: refresh token refused, access token refused', () => {
  let s: OneSource;
  let refuseNext = 0;
  beforeAll(async () => {
    s = await oneSource(h, T0, 'google_business', (reply, req) => {
      if (req.path !== '/token' && refuseNext > 0) {
        refuseNext--;
        return { status: 401, json: { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } } };
      }
      return reply;
    });
  });
  afterAll(() => teardown(s));

  it('an access token refused early is fetched again once; the poll goes on', async () => {
    const id = s.add(T0 - 60_000);
    expect(await s.poll()).toBe('ok');
    refuseNext = 1;
    const next = s.add(T0 - 1000);
    s.clock.advance(60_000);
    expect(await s.poll()).toBe('ok');
    await s.h.bus.whenIdle();
    expect(s.h.ids().sort()).toEqual([id, next].sort());
    expect(s.api.requests.filter((r) => r.path === '/token')).toHaveLength(2);
  });

  it('invalid_grant says what to do', async () => {
    const bad = await oneSource(h, T0, 'google_play', (reply) => reply, {
      EARSHOT_GOOGLE_CLIENT_ID: 'gid',
      EARSHOT_GOOGLE_CLIENT_SECRET: 'gs',
      EARSHOT_GOOGLE_REFRESH_TOKEN: 'revoked',
    });
    try {
      // google_play's fake token endpoint is permissive; answer as Google does for a revoked token.
      bad.api.failNext({ status: 400, json: { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' } });
      expect(await bad.poll()).toBe('failed');
      expect(bad.health().last_error).toMatch(/refused the refresh token in EARSHOT_GOOGLE_REFRESH_TOKEN \(invalid_grant\).*consent flow again/);
    } finally {
      await teardown(bad);
    }
  });
});

// https://docs.developer.yelp.com/docs/fusion-rate-limiting : a daily quota, with
// RateLimit-DailyLimit, RateLimit-Remaining and RateLimit-ResetTime on every answer.
describe('yelp: the daily quota is read from its headers', () => {
  let s: OneSource;
  let remaining = 10;
  const reset = new Date(T0 + 12 * 3_600_000).toISOString();
  beforeAll(async () => {
    s = await oneSource(h, T0, 'yelp', (reply) => ({
      ...reply,
      headers: { ...reply.headers, 'ratelimit-dailylimit': '5000', 'ratelimit-remaining': String(remaining), 'ratelimit-resettime': reset },
    }));
  });
  afterAll(() => teardown(s));

  it("when the day's quota is spent, it waits for the reset instead of calling every poll", async () => {
    s.add(T0 - 60_000);
    expect(await s.poll()).toBe('ok');
    remaining = 0;
    s.clock.advance(60_000);
    expect(await s.poll()).toBe('ok');
    const calls = s.api.requests.length;
    s.clock.advance(60_000);
    expect(await s.poll()).toBe('rate_limited');
    expect(s.health().next_attempt_at).toBe(reset);
    expect(s.api.requests.length).toBe(calls);
    remaining = 5000;
    s.clock.advance(12 * 3_600_000);
    expect(await s.poll()).toBe('ok');
  });
});

// Errors inside 200 answers: GDELT writes its rate limit as text
// (https://blog.gdeltproject.org/gdelt-doc-2-0-api-debuts/); Stack Exchange adds `backoff`
// (seconds before the same method may be called again) to a successful answer
// (https://api.stackexchange.com/docs/throttle).
describe('limits written inside 200 answers', () => {
  it('GDELT: "one request every 5 seconds" as text is a rate limit, not a malformed answer', async () => {
    const s = await oneSource(h, T0, 'gdelt', (reply) => reply);
    try {
      s.api.failNext({ status: 200, text: 'Please limit requests to one every 5 seconds or contact kalev.leetaru5@gmail.com for larger queries.' });
      expect(await s.poll()).toBe('rate_limited');
      expect(Date.parse(s.health().next_attempt_at!)).toBe(s.clock.now() + 6000);
      s.add(T0 - 1000);
      s.clock.advance(6000);
      expect(await s.poll()).toBe('ok');
    } finally {
      await teardown(s);
    }
  });

  it('Stack Exchange: a backoff in a successful answer holds the next call back that long', async () => {
    let backoff = 30;
    const s = await oneSource(h, T0, 'stackexchange', (reply) => (reply.json ? { ...reply, json: { ...reply.json, ...(backoff ? { backoff } : {}) } } : reply));
    try {
      s.add(T0 - 1000);
      expect(await s.poll()).toBe('ok');
      backoff = 0;
      const calls = s.api.requests.length;
      s.clock.advance(10_000);
      expect(await s.poll()).toBe('rate_limited');
      expect(s.api.requests.length).toBe(calls);
      s.clock.advance(21_000);
      expect(await s.poll()).toBe('ok');
    } finally {
      await teardown(s);
    }
  });
});

// https://api.stackexchange.com/docs/error-handling : a client that asked too often gets
// `throttle_violation` (error_id 502) in a 400 answer, the message saying when more
// requests are available.
describe('stack exchange: throttle_violation', () => {
  it('waits as long as the message says, then catches up', async () => {
    const s = await oneSource(h, T0, 'stackexchange', (reply) => reply, undefined, { id: 'acme.stackexchange.throttled' });
    try {
      const id = s.add(T0 - 1000);
      s.api.failNext({
        status: 400,
        json: { error_id: 502, error_message: 'too many requests from this IP, more requests available in 3600 seconds', error_name: 'throttle_violation' },
      });
      expect(await s.poll()).toBe('rate_limited');
      expect(s.health().next_attempt_at).toBe(new Date(T0 + 3_600_000).toISOString());
      const calls = s.api.requests.length;
      s.clock.advance(600_000);
      expect(await s.poll()).toBe('deferred');
      expect(s.api.requests.length).toBe(calls);
      s.clock.advance(3_000_001);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(h.ids()).toContain(id);
    } finally {
      await teardown(s);
    }
  });
});

/** A Google API's 403 as its error docs show it: `error.errors[]` carries the reason. */
const googleError403 = (message: string, error: { message: string; domain: string; reason: string }) => ({
  status: 403,
  json: { error: { code: 403, message, errors: [error] } },
});

// https://developers.google.com/youtube/v3/getting-started#quota and /docs/errors : a spent
// daily quota is 403 with `errors[].reason` "quotaExceeded"; it resets at midnight Pacific time.
describe('youtube: a spent daily quota waits for the Pacific-time midnight reset', () => {
  it.each(['youtube_search', 'youtube'])('%s', async (type) => {
    const s = await oneSource(h, T0, type, (reply) => reply);
    try {
      s.api.failNext(
        googleError403('The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.', {
          message: 'The request cannot be completed because you have exceeded your quota.',
          domain: 'youtube.quota',
          reason: 'quotaExceeded',
        }),
      );
      expect(await s.poll()).toBe('rate_limited');
      // T0 is 2026-11-20 12:00 UTC, 04:00 in Los Angeles (PST, UTC-8): the reset is 2026-11-21 08:00 UTC.
      expect(s.health().next_attempt_at).toBe('2026-11-21T08:00:00.000Z');
      s.clock.advance(20 * 3_600_000);
      s.add(s.clock.now() - 1000);
      expect(await s.poll()).toBe('ok');
    } finally {
      await teardown(s);
    }
  });

  it('another 403 (the API not enabled for the key) fails the poll with the reason', async () => {
    const s = await oneSource(h, T0, 'youtube_search', (reply) => reply);
    try {
      s.api.failNext(
        googleError403('YouTube Data API v3 has not been used in project 1 before or it is disabled.', {
          message: 'x',
          domain: 'usageLimits',
          reason: 'accessNotConfigured',
        }),
      );
      expect(await s.poll()).toBe('failed');
      expect(s.health().last_error).toMatch(/403 \(accessNotConfigured\)/);
    } finally {
      await teardown(s);
    }
  });
});

// https://developers.google.com/identity/protocols/oauth2/service-account#httprest : a JWT
// (RS256, iss = the account's email, scope, aud = the token URL, at most an hour) exchanged
// with grant_type urn:ietf:params:oauth:grant-type:jwt-bearer; a bad signature or a deleted
// key is 400 invalid_grant.
describe('google_play with a service account key', () => {
  const account = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyFile = (key = account.privateKey) =>
    JSON.stringify({
      type: 'service_account',
      project_id: 'p',
      private_key_id: 'k1',
      private_key: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
      client_email: 'earshot@p.iam.gserviceaccount.com',
      client_id: '1',
      token_uri: 'https://oauth2.googleapis.com/token',
    });
  const googleTokenEndpoint = (reply: Reply, req: FakeRequest): Reply => {
    if (req.path !== '/token') return reply;
    const form = new URLSearchParams(req.body);
    const [h, c, sig] = (form.get('assertion') ?? '').split('.');
    const claims = c ? (JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, unknown>) : {};
    const signed = Boolean(h && c && sig) && verify('sha256', Buffer.from(`${h}.${c}`), account.publicKey, Buffer.from(sig!, 'base64url'));
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !signed)
      return { status: 400, json: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
    if (
      claims.iss !== 'earshot@p.iam.gserviceaccount.com' ||
      claims.scope !== 'https://www.googleapis.com/auth/androidpublisher' ||
      !String(claims.aud).endsWith('/token') ||
      Number(claims.exp) - Number(claims.iat) > 3600
    )
      return { status: 400, json: { error: 'invalid_scope' } };
    return { json: { access_token: 'gat', expires_in: 3599, token_type: 'Bearer' } };
  };

  it('signs a JWT grant with the key file and reads the reviews; no user refresh token is needed', async () => {
    const s = await oneSource(h, T0, 'google_play', googleTokenEndpoint, { EARSHOT_PLAY_KEY: keyFile() }, { service_account_env: 'EARSHOT_PLAY_KEY' });
    try {
      const id = s.add(T0 - 60_000);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(h.ids()).toContain(id);
      expect(s.api.requests.filter((r) => r.path === '/token')).toHaveLength(1);
    } finally {
      await teardown(s);
    }
  });

  it('a key Google does not accept says to make a new key', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const s = await oneSource(
      h,
      T0,
      'google_play',
      googleTokenEndpoint,
      { EARSHOT_PLAY_KEY: keyFile(other.privateKey) },
      { service_account_env: 'EARSHOT_PLAY_KEY' },
    );
    try {
      expect(await s.poll()).toBe('failed');
      expect(s.health().last_error).toMatch(/refused the service account key in EARSHOT_PLAY_KEY \(invalid_grant: Invalid JWT Signature\.\).*make a new key/);
    } finally {
      await teardown(s);
    }
  });
});

// https://developer.apple.com/documentation/appstoreconnectapi/generating-tokens-for-api-requests :
// "tokens that have an expiration time greater than 20 minutes into the future are not valid";
// the fake refuses an expired, foreign-signed or over-long token with 401 NOT_AUTHORIZED.
describe('appstore_connect tokens', () => {
  it('re-signs its token before the 20 minutes run out', async () => {
    const s = await oneSource(h, T0, 'appstore_connect', (reply) => reply);
    try {
      s.add(T0 - 60_000);
      expect(await s.poll()).toBe('ok');
      s.clock.advance(25 * 60_000);
      const id = s.add(s.clock.now() - 1000);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(h.ids()).toContain(id);
      const tokens = new Set(s.api.requests.map((r) => r.headers.authorization));
      expect(tokens.size).toBe(2);
    } finally {
      await teardown(s);
    }
  });

  it("a key Apple does not know fails with Apple's reason", async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const s = await oneSource(h, T0, 'appstore_connect', (reply) => reply, {
      ...ASC_ENV,
      EARSHOT_ASC_PRIVATE_KEY: other.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    try {
      expect(await s.poll()).toBe('failed');
      expect(s.health().last_error).toMatch(/401.*NOT_AUTHORIZED/);
    } finally {
      await teardown(s);
    }
  });
});
