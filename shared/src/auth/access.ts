import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RequestHandler } from 'express';
import type { ApiKeys, Scope } from './api-keys.js';

/** Lower case, without trailing slashes: what the guards compare, whatever the router makes of the rest. */
export const canonicalPath = (path: string): string => path.toLowerCase().replace(/(?<=.)\/+$/, '');

/**
 * The scope a request needs; 'open' for paths the configuration leaves open (health,
 * metrics), null for routes that carry their own credentials (webhooks).
 */
export function scopeFor(method: string, rawPath: string, openPaths: string[]): Scope | 'open' | null {
  // Decided on the path's canonical form: should a route ever match loosely again, a variant
  // (/V1/AUTHORS/…, a trailing slash) still needs what the route needs (issue #35).
  const path = canonicalPath(rawPath);
  if (openPaths.some((p) => canonicalPath(p) === path)) return 'open';
  // The console's page and assets hold no data; what it shows comes from the API with the user's key.
  if ((method === 'GET' || method === 'HEAD') && (path === '/' || path.startsWith('/console/'))) return 'open';
  if (path.startsWith('/v1/hooks/')) return null;
  // Erasure is irreversible and a link can make an erasure reach a stranger.
  if (/^\/v1\/authors\//.test(path) && method !== 'GET' && method !== 'HEAD') return 'admin';
  // Dead letters are refused input as it came: people's posts, names and all.
  if (path === '/v1/dead-letters') return 'admin';
  if (method === 'GET' || method === 'HEAD') return 'read';
  if (path.startsWith('/v1/care/')) return 'care';
  return 'write';
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;
export const isLoopback = (host: string) => LOOPBACK.test(host);

/**
 * Refuses a public address with no API key: every route would be open to whoever can
 * reach the port, erasure included.
 */
export function assertSafeBind(host: string, keys: ApiKeys): void {
  if (isLoopback(host) || keys.any()) return;
  throw new Error(
    `refusing to listen on ${host} without API keys: anyone who can reach it could read every mention and erase authors. Create a key first (earshot keys create --scope admin; keys are kept in ${keys.path}), or listen on 127.0.0.1 (EARSHOT_HOST)`,
  );
}

/** Appends one JSON line per audited request (key use for writes, care actions and admin). */
export function fileAudit(path: string): (entry: Record<string, unknown>) => void {
  mkdirSync(dirname(path), { recursive: true });
  return (entry) => appendFileSync(path, `${JSON.stringify(entry)}\n`);
}

/**
 * API keys on every route but the open ones and the webhooks: `Authorization: Bearer
 * <key>`, checked against the hashed keys, with the scope the route needs (admin may do
 * all). With no key created, a server on a loopback address stays open (the local demo);
 * `assertSafeBind` keeps a public one from starting so.
 */
export function requireApiKeys(o: { keys: ApiKeys; openPaths: string[]; audit: (entry: Record<string, unknown>) => void; now: () => number }): RequestHandler {
  return (req, res, next) => {
    const need = scopeFor(req.method, req.path, o.openPaths);
    if (need === 'open' || need === null || !o.keys.any()) return next();
    const auth = req.get('authorization') ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    const key = token ? o.keys.verify(token) : null;
    if (!key) {
      res
        .status(401)
        .set('www-authenticate', 'Bearer')
        .json({
          error: token
            ? 'the API key is unknown or was revoked'
            : `${req.method} ${req.path} needs an API key with the "${need}" scope: send "Authorization: Bearer <key>" (earshot keys create --scope ${need})`,
        });
      return;
    }
    if (!key.scopes.includes(need) && !key.scopes.includes('admin')) {
      res.status(403).json({ error: `the key "${key.name}" (${key.id}) has the scopes ${key.scopes.join(', ')}; ${req.method} ${req.path} needs "${need}"` });
      return;
    }
    // Who did it, for what people do from the console (acknowledging an alert, a hand-off).
    res.locals.actor = key.name;
    res.locals.keyId = key.id;
    if (need !== 'read')
      res.on('finish', () =>
        o.audit({
          at: new Date(o.now()).toISOString(),
          key: key.id,
          key_name: key.name,
          scope: need,
          method: req.method,
          path: req.path,
          status: res.statusCode,
        }),
      );
    next();
  };
}
