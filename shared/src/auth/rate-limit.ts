import type { RequestHandler } from 'express';
import { canonicalPath } from './access.js';

/** Reads that make the store scan or aggregate per request; cheap routes are not limited. */
export function isExpensive(method: string, rawPath: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  const path = canonicalPath(rawPath);
  return (
    path.startsWith('/v1/stats/') ||
    path.startsWith('/v1/care/') ||
    path.startsWith('/v1/authors/') ||
    path === '/v1/mentions' ||
    path === '/v1/mentions.csv' ||
    path === '/v1/digest' ||
    /^\/v1\/events\/[^/]+\/impact$/.test(path)
  );
}

interface Bucket {
  tokens: number;
  at: number;
}

const MAX_CALLERS = 10_000;

/**
 * A token bucket per caller (the API key, or the client address where no key is used)
 * over the expensive reads: `perMinute` a minute, up to a minute's worth in a burst. One
 * caller looping over aggregates cannot starve the store for everyone else.
 */
export function rateLimitExpensive(o: { perMinute: number; now: () => number; onLimited?: (caller: string) => void }): RequestHandler {
  const buckets = new Map<string, Bucket>();
  const perMs = o.perMinute / 60_000;
  return (req, res, next) => {
    if (o.perMinute <= 0 || !isExpensive(req.method, req.path)) return next();
    const caller = typeof res.locals.keyId === 'string' ? `key:${res.locals.keyId}` : `addr:${req.ip ?? 'unknown'}`;
    const now = o.now();
    const b = buckets.get(caller) ?? { tokens: o.perMinute, at: now };
    b.tokens = Math.min(o.perMinute, b.tokens + (now - b.at) * perMs);
    b.at = now;
    if (buckets.size >= MAX_CALLERS && !buckets.has(caller)) {
      // Forget callers whose bucket has refilled: they are where a new one would start.
      for (const [k, v] of buckets) if (v.tokens + (now - v.at) * perMs >= o.perMinute) buckets.delete(k);
    }
    buckets.set(caller, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return next();
    }
    const retryS = Math.ceil((1 - b.tokens) / perMs / 1000);
    o.onLimited?.(caller.split(':')[0]!);
    const who = typeof res.locals.actor === 'string' ? `the key "${res.locals.actor}"` : 'this address';
    res
      .status(429)
      .set('retry-after', String(retryS))
      .json({
        error: `too many requests: ${who} may make ${o.perMinute} a minute to the statistics, care, author and mention reads (EARSHOT_RATE_LIMIT_PER_MINUTE); retry in ${retryS} s`,
      });
  };
}
