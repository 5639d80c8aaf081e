import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isExpensive, rateLimitExpensive } from './rate-limit.js';

describe('rate limits on the expensive reads', () => {
  let now = 0;
  let limited: string[] = [];
  let url = '';
  let server: ReturnType<express.Express['listen']>;
  beforeAll(async () => {
    const app = express();
    // Stands in for requireApiKeys: a request with "Bearer k1" is the key k1.
    app.use((req, res, next) => {
      const key = req.get('authorization')?.slice(7);
      if (key) Object.assign(res.locals, { keyId: key, actor: `${key} name` });
      next();
    });
    app.use(rateLimitExpensive({ perMinute: 3, now: () => now, onLimited: (c) => limited.push(c) }));
    app.use((_req, res) => res.json({ ok: true }));
    await new Promise<void>((r) => (server = app.listen(0, '127.0.0.1', () => r())));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => server.close());
  const get = (path: string, key?: string) => fetch(`${url}${path}`, { headers: key ? { authorization: `Bearer ${key}` } : {} });

  it('knows which routes are expensive', () => {
    expect(isExpensive('GET', '/v1/stats/sentiment')).toBe(true);
    expect(isExpensive('GET', '/v1/events/e1/impact')).toBe(true);
    expect(isExpensive('GET', '/v1/events/e1')).toBe(false);
    expect(isExpensive('POST', '/v1/mentions')).toBe(false);
    expect(isExpensive('GET', '/healthz')).toBe(false);
    // Another spelling of an expensive read is as expensive (issue #35).
    expect(isExpensive('GET', '/V1/STATS/volume')).toBe(true);
    expect(isExpensive('GET', '/v1/mentions/')).toBe(true);
  });

  it("lets a minute's worth through, then answers 429 with Retry-After and the reason; other callers are not affected; it refills", async () => {
    now = 0;
    limited = [];
    for (let i = 0; i < 3; i++) expect((await get('/v1/stats/volume', 'k1')).status).toBe(200);
    const refused = await get('/v1/care/queue', 'k1');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('20');
    expect(((await refused.json()) as { error: string }).error).toMatch(/the key "k1 name" may make 3 a minute .*EARSHOT_RATE_LIMIT_PER_MINUTE.*retry in 20 s/);
    expect(limited).toEqual(['key']);
    // Cheap routes and other keys go on.
    expect((await get('/v1/events', 'k1')).status).toBe(200);
    expect((await get('/v1/stats/volume', 'k2')).status).toBe(200);
    // A caller without a key is counted by address.
    for (let i = 0; i < 3; i++) expect((await get('/v1/mentions')).status).toBe(200);
    expect((await get('/v1/mentions')).status).toBe(429);
    expect(limited).toEqual(['key', 'addr']);
    now += 20_000;
    expect((await get('/v1/stats/volume', 'k1')).status).toBe(200);
    expect((await get('/v1/stats/volume', 'k1')).status).toBe(429);
  });
});
