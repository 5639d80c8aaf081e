import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ManualClock } from '@earshot/shared';
import { HttpClient, HttpError, MalformedResponseError, RateLimitedError, retryAtFrom } from './http.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');

/** A client whose fetch answers from a script and whose sleeps move a manual clock. */
function scripted(answers: (() => Response)[], opts: { perMinute?: number } = {}) {
  const clock = new ManualClock(T0);
  const sleeps: number[] = [];
  const calls: string[] = [];
  const http = new HttpClient({
    clock,
    perMinute: opts.perMinute,
    backoffMs: 100,
    random: () => 1,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
    },
    fetch: (async (url: string) => {
      calls.push(url);
      const next = answers.shift();
      if (!next) throw new Error('no more answers');
      return next();
    }) as typeof fetch,
  });
  return { http, clock, sleeps, calls };
}
const json =
  (body: unknown, init: ResponseInit = {}) =>
  () =>
    new Response(JSON.stringify(body), { status: 200, ...init });

describe('connector HTTP client', () => {
  it.each([
    ['Retry-After in seconds', { 'retry-after': '120' }, T0 + 120_000],
    ['Retry-After as a date', { 'retry-after': new Date(T0 + 90_000).toUTCString() }, T0 + 90_000],
    ["X's x-rate-limit-reset (epoch seconds)", { 'x-rate-limit-reset': String((T0 + 300_000) / 1000) }, T0 + 300_000],
    ["Reddit's x-ratelimit-reset (seconds from now)", { 'x-ratelimit-reset': '42' }, T0 + 42_000],
    ["GitHub's x-ratelimit-reset (epoch seconds)", { 'x-ratelimit-reset': String(T0 / 1000 + 300) }, T0 + 300_000],
    ['nothing said', {}, null],
  ])('reads when to retry from %s', (_what, headers, expected) => {
    expect(retryAtFrom(new Headers(headers as Record<string, string>), T0)).toBe(expected);
  });

  it('spaces calls to the configured quota', async () => {
    const { http, sleeps } = scripted([json({}), json({}), json({})], { perMinute: 30 });
    for (let i = 0; i < 3; i++) await http.json('https://api.example/x', z.object({}));
    expect(sleeps).toEqual([2000, 2000]);
  });

  it('429 becomes RateLimitedError with the time the source gave, and holds later calls', async () => {
    const { http, calls } = scripted([() => new Response('slow down', { status: 429, headers: { 'retry-after': '600' } })]);
    const err = await http.json('https://api.example/x?key=secret', z.object({})).catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err.retryAt).toBe(T0 + 600_000);
    expect(err.message).not.toContain('secret');
    await expect(http.json('https://api.example/x', z.object({}))).rejects.toBeInstanceOf(RateLimitedError);
    expect(calls).toHaveLength(1);
  });

  it('a quota-exhausted answer holds the next call until the reset', async () => {
    const { http, sleeps } = scripted([json({}, { headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String((T0 + 30_000) / 1000) } }), json({})]);
    await http.json('https://api.example/x', z.object({}));
    await http.json('https://api.example/x', z.object({}));
    expect(sleeps).toEqual([30_000]);
  });

  it('retries 5xx with exponential back-off, then gives up with the status', async () => {
    const fail = () => new Response('down', { status: 503 });
    const { http, sleeps, calls } = scripted([fail, fail, fail, fail]);
    const err = await http.request('https://api.example/x').catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.status).toBe(503);
    expect(calls).toHaveLength(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('does not retry a 4xx, and names a body in the wrong shape', async () => {
    const { http, calls } = scripted([() => new Response('{"error":"bad key"}', { status: 401 }), json({ items: 'nope' })]);
    await expect(http.request('https://api.example/x')).rejects.toThrow(/answered 401: \{"error":"bad key"\}/);
    expect(calls).toHaveLength(1);
    await expect(http.json('https://api.example/y', z.object({ items: z.array(z.string()) }))).rejects.toThrow(MalformedResponseError);
  });
});
