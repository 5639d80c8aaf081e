import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Router, type Request } from 'express';
import { exactRouter, type Clock, type DeadLetters, type Metrics } from '@earshot/shared';
import type { Ingestor } from './ingestor.js';
import { parseMentionsBody } from './parse-body.js';
import { intakeAnswer, intakeErrors } from './webhook.js';
import type { Harvest, WebhookConnector } from './connectors/types.js';
import { HttpError, RateLimitedError, type HttpClient } from './connectors/http.js';

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** How far a signed delivery's timestamp may be from our clock: wider would let a captured delivery be replayed later. */
export const SIGNATURE_WINDOW_S = 300;
const hmac = (secret: string, data: Buffer) => createHmac('sha256', secret).update(data).digest('hex');

/** Null when the request carries the hook's credentials, else why not (said in the 401). */
function refusal(req: Request, body: Buffer, hook: WebhookConnector, now: number): string | null {
  const signature = (header: string) => {
    const v = req.get(header);
    return v?.startsWith('sha256=') ? v.slice(7).toLowerCase() : null;
  };
  if (hook.signedWith) {
    const sig = signature(hook.signedWith);
    return sig && same(sig, hmac(hook.secret, body)) ? null : `send "${hook.signedWith}: sha256=<hex HMAC-SHA256 of the body>" signed with the app secret`;
  }
  const auth = req.get('authorization');
  if (auth?.startsWith('Bearer ') && same(auth.slice(7).trim(), hook.secret)) return null;
  const how = `send "Authorization: Bearer <secret>", or "X-Earshot-Timestamp: <unix seconds>" with "X-Earshot-Signature: sha256=<hex HMAC-SHA256 of '<timestamp>.<body>'>"`;
  const sig = signature('x-earshot-signature');
  if (!sig) return how;
  // The timestamp is signed with the body, so a captured delivery cannot be replayed once it is old.
  const ts = req.get('x-earshot-timestamp') ?? '';
  if (!/^\d{9,11}$/.test(ts)) return `X-Earshot-Signature needs X-Earshot-Timestamp (unix seconds, signed as '<timestamp>.<body>'); ${how}`;
  if (Math.abs(now / 1000 - Number(ts)) > SIGNATURE_WINDOW_S)
    return `X-Earshot-Timestamp ${ts} is more than ${SIGNATURE_WINDOW_S / 60} minutes from this server's clock (a replayed delivery, or a clock that is off)`;
  return same(sig, hmac(hook.secret, Buffer.concat([Buffer.from(`${ts}.`), body]))) ? null : `the signature does not match; ${how}`;
}

/**
 * POST /v1/hooks/:name — the authenticated webhook for tools that push JSON. 401 without
 * the hook's secret, 404 for an unknown hook, else 202 (or the status the service asks
 * for) with the count accepted and each rejected item's index and reason (the same answer
 * as POST /v1/mentions). GET answers a service's subscription check where the hook has one.
 */
export function createHooksRouter(deps: {
  hooks: { connector: WebhookConnector; brand: string; owned: boolean; http: HttpClient }[];
  ingestor: Ingestor;
  metrics: Metrics;
  clock: Clock;
  maxBodyBytes: number;
  /** Where a delivery's items that cannot be used go, with their reason (an @mention that could not be looked up, say). */
  deadLetters?: DeadLetters;
}): Router {
  const byName = new Map(deps.hooks.map((h) => [h.connector.name, h]));
  const router = exactRouter();
  // A service's subscription check (Meta: hub.mode=subscribe, hub.verify_token, hub.challenge).
  router.get('/v1/hooks/:name', (req, res) => {
    const hook = byName.get(String(req.params.name));
    const answer = hook?.connector.verify?.(new URLSearchParams(req.url.split('?')[1] ?? ''));
    if (answer === undefined || answer === null) {
      res
        .status(hook ? 403 : 404)
        .json({ error: hook ? 'subscription check refused: wrong or missing verify token' : `no webhook named "${req.params.name}"` });
      return;
    }
    res.status(200).type('text/plain').send(answer);
  });
  router.post('/v1/hooks/:name', express.raw({ type: () => true, limit: deps.maxBodyBytes }), async (req, res) => {
    const hook = byName.get(String(req.params.name));
    if (!hook) {
      res.status(404).json({ error: `no webhook named "${req.params.name}"; configured: ${[...byName.keys()].join(', ') || 'none'}` });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const refused = refusal(req, body, hook.connector, deps.clock.now());
    if (refused) {
      deps.metrics.ingestRejected.inc({ via: 'webhook', reason: 'unauthorized' });
      res.status(401).json({ error: `missing or wrong credentials: ${refused}` });
      return;
    }
    const parsed = parseMentionsBody(body, req.get('content-type'));
    const values = parsed.flatMap((p) => ('value' in p ? [{ index: p.index, value: p.value }] : []));
    let harvest: Harvest;
    try {
      harvest = await hook.connector.read(
        values.map((v) => v.value),
        deps.clock.now(),
        { http: hook.http, clock: deps.clock },
      );
    } catch (err) {
      // A lookup the service could not answer now (5xx, network, rate limit): nothing is
      // kept, and the 503 makes the service deliver again (Meta retries for 36 hours).
      if (!(err instanceof RateLimitedError || (err instanceof HttpError && (err.status === null || err.status >= 500)))) throw err;
      deps.metrics.ingestRejected.inc({ via: 'webhook', reason: 'unavailable' });
      res
        .status(503)
        .set('retry-after', '60')
        .json({ error: `not accepted, nothing was kept: a lookup this delivery needs failed (${err.message}); send it again later` });
      return;
    }
    if (harvest.unusable.length)
      await deps.deadLetters?.send(
        harvest.unusable.map((u) => ({
          origin: `webhook:${hook.connector.name}`,
          stage: 'ingest.webhook',
          reason: u.reason,
          payload: JSON.stringify(u.payload) ?? 'null',
        })),
      );
    const mentions = harvest.mentions.map((m) => (hook.owned && !m.brands ? { ...m, brands: [hook.brand] } : m));
    const result = await deps.ingestor.ingest(
      mentions.map((value, index) => ({ index, value })),
      'webhook',
    );
    const rejected = [
      ...parsed.flatMap((p) => ('error' in p ? [{ index: p.index, reason: p.error }] : [])),
      ...harvest.unusable.map((u) => ({ index: -1, reason: u.reason })),
      ...result.rejected.map((r) => ({ index: values[r.index]?.index ?? r.index, ...(r.id ? { id: r.id } : {}), reason: r.reason })),
    ];
    res.status(hook.connector.okStatus ?? 202).json(intakeAnswer(result.accepted, result.duplicates, rejected));
  });
  router.use('/v1/hooks', intakeErrors(deps, 'webhook'));
  return router;
}
