import { describe, expect, it } from 'vitest';
import { harnessForSuite } from './harness.js';
import { oneSource, teardown } from './one-source.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');

const h = harnessForSuite();

// https://developers.facebook.com/docs/graph-api/guides/error-handling and
// https://developers.facebook.com/docs/graph-api/overview/rate-limiting : Graph errors are
// told apart by `error.code`, not by the HTTP status; throttling carries
// X-Business-Use-Case-Usage with `estimated_time_to_regain_access` in minutes.
describe('threads: Graph API errors as Meta sends them', () => {
  it('a rate-limit code waits for the time Meta estimates, then goes on', async () => {
    const s = await oneSource(h, T0, 'threads', (reply) => reply);
    try {
      s.api.failNext({
        status: 400,
        headers: {
          'x-business-use-case-usage': JSON.stringify({
            '1789': [{ type: 'threads', call_count: 100, total_cputime: 10, total_time: 10, estimated_time_to_regain_access: 25 }],
          }),
        },
        json: { error: { message: 'Application request limit reached', type: 'OAuthException', code: 4, is_transient: true, fbtrace_id: 'x' } },
      });
      expect(await s.poll()).toBe('rate_limited');
      expect(s.health().next_attempt_at).toBe(new Date(T0 + 25 * 60_000).toISOString());
      const id = s.add(T0 - 1000);
      s.clock.advance(25 * 60_000 + 1000);
      expect(await s.poll()).toBe('ok');
      await h.bus.whenIdle();
      expect(h.ids()).toContain(id);
    } finally {
      await teardown(s);
    }
  });

  it('an expired token (190) says to make a new long-lived token', async () => {
    const s = await oneSource(h, T0, 'threads', (reply) => reply);
    try {
      s.api.failNext({
        status: 400,
        json: {
          error: {
            message: 'Error validating access token: Session has expired on Friday, 20-Nov-26 04:00:00 PST.',
            type: 'OAuthException',
            code: 190,
            error_subcode: 463,
            fbtrace_id: 'x',
          },
        },
      });
      expect(await s.poll()).toBe('failed');
      expect(s.health().last_error).toMatch(/access token in EARSHOT_THREADS_TOKEN was refused \(code 190\/463: .*Session has expired.*new long-lived token/);
    } finally {
      await teardown(s);
    }
  });

  it('a missing permission names the permission the source needs', async () => {
    const s = await oneSource(h, T0, 'threads', (reply) => reply);
    try {
      s.api.failNext({
        status: 403,
        json: { error: { message: 'Application does not have permission for this action', type: 'THApiException', code: 10, fbtrace_id: 'x' } },
      });
      expect(await s.poll()).toBe('failed');
      expect(s.health().last_error).toMatch(/lacks a permission \(code 10: .*\); this source needs threads_basic and threads_keyword_search/);
    } finally {
      await teardown(s);
    }
  });
});
