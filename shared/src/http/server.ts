import type { Server } from 'node:http';
import express, { Router, type Express, type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import type { Logger } from '../logger.js';

export interface HealthCheck {
  name: string;
  check(): { ok: boolean; detail?: unknown };
}

export interface HttpServerDeps {
  routers: Router[];
  registry: Registry;
  health: HealthCheck[];
  logger: Logger;
  /** Run in order before every route (access control, then rate limits). */
  guards?: RequestHandler[];
}

/**
 * A router that matches a path only as written: letter case and a trailing slash count.
 * The guards decide scope and rate class from the path, so a route that also answered
 * /V1/AUTHORS/… or /v1/mentions/ would slip past them (issue #35).
 */
export const exactRouter = (): Router => Router({ caseSensitive: true, strict: true });

const isExact = (r: Router) => {
  const o = r as unknown as { caseSensitive?: boolean; strict?: boolean };
  return o.caseSensitive === true && o.strict === true;
};

/**
 * Sent with every answer. The console is one page whose script, stylesheet and data come
 * from this origin (its icon is a data: URL), so nothing else may load, and no other
 * site may frame it (clickjacking an erasure) or learn its URLs from a Referer.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** One express app per process: the routers of the services it runs, plus /healthz and /metrics. */
export function createApp({ routers, registry, health, logger, guards = [] }: HttpServerDeps): Express {
  const lax = routers.filter((r) => !isExact(r)).length;
  if (lax) throw new Error(`${lax} router(s) match paths loosely (any letter case, a trailing slash): build every router with exactRouter()`);
  const app = express();
  app.disable('x-powered-by');
  app.set('case sensitive routing', true);
  app.set('strict routing', true);
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    next();
  });
  for (const g of guards) app.use(g);
  app.get('/healthz', (_req, res) => {
    const checks = health.map((h) => ({ name: h.name, ...h.check() }));
    const ok = checks.every((c) => c.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unhealthy', checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', registry.contentType).send(await registry.metrics());
  });
  for (const r of routers) app.use(r);
  app.use((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
  });
  const onError: ErrorRequestHandler = (err, _req, res, _next) => {
    const status = typeof err?.status === 'number' && err.status >= 400 && err.status < 600 ? err.status : 500;
    if (status >= 500) logger.error({ err }, 'request failed');
    res.status(status).json({ error: status >= 500 ? 'internal error' : String(err.message ?? err) });
  };
  app.use(onError);
  return app;
}

export function listen(app: Express, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
    server.once('error', reject);
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
