import type { FakeRequest, Reply } from './fake-api.js';

const jwt = (claims: Record<string, unknown>) =>
  ['{"typ":"at+jwt","alg":"ES256K"}', JSON.stringify(claims), 'sig'].map((p, i) => (i < 2 ? Buffer.from(p).toString('base64url') : p)).join('.');
const xrpcError = (status: number, error: string, message: string): Reply => ({ status, json: { error, message } });

/**
 * A Bluesky PDS as the documentation and maintainers describe it, for one account:
 * - `createSession` (https://docs.bsky.app/docs/api/com-atproto-server-create-session)
 *   returns access and refresh JWTs and a DID document naming the PDS; it is rate-limited
 *   per account (30 per 5 minutes, https://docs.bsky.app/docs/advanced-guides/rate-limits).
 * - access tokens expire after two hours: `400 {"error":"ExpiredToken"}`; refresh with
 *   `refreshSession` and the refresh token, which is then spent (rotated).
 * - `app.bsky.*` queries are proxied to the AppView with the `atproto-proxy` header;
 *   anonymous post search is refused with 403 "Request forbidden by administrative rules."
 *   (bluesky-social/atproto#3423, #3583).
 * Rate-limit headers on every answer: `ratelimit-limit`, `ratelimit-remaining`, `ratelimit-reset` (epoch seconds).
 */
export function fakeBlueskyPds(opts: { url: () => string; identifier: string; password: string }) {
  const access = new Map<string, number>();
  const refresh = new Set<string>();
  const calls = { createSession: 0, refreshSession: 0 };
  let seq = 0;
  const issue = (now: number): Reply => {
    const a = jwt({ scope: 'com.atproto.appPass', sub: 'did:plc:earshot', iat: Math.floor(now / 1000), exp: Math.floor(now / 1000) + 7200, n: ++seq });
    const r = jwt({ scope: 'com.atproto.refresh', sub: 'did:plc:earshot', jti: `r${seq}` });
    access.set(a, now + 7_200_000);
    refresh.add(r);
    return {
      json: {
        accessJwt: a,
        refreshJwt: r,
        handle: 'earshot.bsky.social',
        did: 'did:plc:earshot',
        didDoc: { '@context': [], id: 'did:plc:earshot', service: [{ id: '#atproto_pds', type: 'AtprotoPersonalDataServer', serviceEndpoint: opts.url() }] },
        active: true,
      },
    };
  };
  return {
    calls,
    /** Revokes every token (a password change, say), so only a new session works. */
    revokeAll() {
      access.clear();
      refresh.clear();
    },
    /** Answers the session routes, or checks a query's auth and returns null for the caller to answer it. */
    route(req: FakeRequest, now: number): Reply | null {
      if (req.path === '/xrpc/com.atproto.server.createSession') {
        if (++calls.createSession > 30)
          return {
            ...xrpcError(429, 'RateLimitExceeded', 'Rate Limit Exceeded'),
            headers: { 'ratelimit-limit': '30', 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.floor(now / 1000) + 300) },
          };
        const body = JSON.parse(req.body || '{}') as { identifier?: string; password?: string };
        if (body.identifier !== opts.identifier || body.password !== opts.password)
          return xrpcError(401, 'AuthenticationRequired', 'Invalid identifier or password');
        return issue(now);
      }
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (req.path === '/xrpc/com.atproto.server.refreshSession') {
        calls.refreshSession++;
        if (!token || !refresh.delete(token)) return xrpcError(400, 'ExpiredToken', 'Token has been revoked');
        return issue(now);
      }
      if (!token)
        return req.path === '/xrpc/app.bsky.feed.searchPosts'
          ? { status: 403, text: 'Request forbidden by administrative rules.' }
          : xrpcError(401, 'AuthMissing', 'Authentication Required');
      const until = access.get(token);
      if (until === undefined) return xrpcError(401, 'InvalidToken', 'Token could not be verified');
      if (now >= until) return xrpcError(400, 'ExpiredToken', 'Token has expired');
      if (req.headers['atproto-proxy'] !== 'did:web:api.bsky.app#bsky_appview') return xrpcError(400, 'InvalidRequest', 'no proxy header for app.bsky query');
      return null;
    },
  };
}
