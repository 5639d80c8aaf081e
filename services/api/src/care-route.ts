import type { Router } from 'express';
import { exactRouter, type CareStore, type Clock, type HelpdeskHandoff } from '@earshot/shared';
import { CareItemParamsSchema, CareQueueQuerySchema, CareStatsQuerySchema, HttpError, actorOf, parseQuery } from './query-params.js';

const DAY = 86_400_000;

/**
 * GET /v1/stats/care: response rate, time to first reply (p50, p90), replies per
 * conversation and outcome (the customer's sentiment after the brand's reply against
 * their first message), for a brand, overall and per source, over conversations whose
 * first complaint or question falls in [from, to) (default: the last 7 days).
 * GET /v1/care/queue: open complaints and questions no brand account has answered and no
 * one marked handled, asked in the last `hours` or in [from, to), a page at a time (limit, offset).
 * POST /v1/care/queue/:brand/:source/:conversation/handoff: hands one item to the helpdesk
 * now (once: a second request answers that it already went).
 * POST /v1/care/queue/:brand/:source/:conversation/handled: takes it out of the queue.
 */
export function createCareRouter(deps: { care: CareStore; clock: Clock; handoff?: HelpdeskHandoff }): Router {
  const router = exactRouter();
  router.get('/v1/stats/care', async (req, res) => {
    const q = parseQuery(CareStatsQuerySchema, req.query);
    const to = q.to?.getTime() ?? deps.clock.now();
    const from = q.from?.getTime() ?? to - 7 * DAY;
    const stats = await deps.care.stats({ brand: q.brand, source: q.source, from, to });
    res.json({
      brand: q.brand,
      ...(q.source ? { source: q.source } : {}),
      from: new Date(from).toISOString(),
      to: new Date(to).toISOString(),
      ...stats,
      // Whether "hand off" can do anything here: the console offers it only then.
      helpdesk: Boolean(deps.handoff),
    });
  });
  router.get('/v1/care/queue', async (req, res) => {
    const q = parseQuery(CareQueueQuerySchema, req.query);
    const now = deps.clock.now();
    const since = q.from?.getTime() ?? now - q.hours * 3_600_000;
    const items = await deps.care.queue({
      brand: q.brand,
      source: q.source,
      since,
      until: q.to?.getTime(),
      now,
      limit: q.limit,
      offset: q.offset,
      order: q.sort,
    });
    res.json({ items, count: items.length });
  });
  const queued = async (params: unknown) => {
    const p = parseQuery(CareItemParamsSchema, params);
    // The whole window the queue keeps: an item is actionable for as long as it is listed.
    const [item] = await deps.care.queue({ conversation: { brand: p.brand, source: p.source, id: p.conversation }, since: 0, now: deps.clock.now(), limit: 1 });
    if (!item) throw new HttpError(404, `no unanswered conversation "${p.conversation}" of ${p.brand} on ${p.source} in the care queue`);
    return item;
  };
  router.post('/v1/care/queue/:brand/:source/:conversation/handoff', async (req, res) => {
    if (!deps.handoff) throw new HttpError(409, 'no helpdesk is configured: set EARSHOT_CARE_WEBHOOK_URL');
    const item = await queued(req.params);
    const now = deps.clock.now();
    const outcome = await deps.handoff.handOne(item, now);
    if (outcome === 'failed') throw new HttpError(502, 'the helpdesk did not accept the item; it was tried 4 times, see the log');
    if (outcome === 'sent') res.status(201).json({ status: 'handed_off', item: { ...item, handed_off_at: new Date(now).toISOString() } });
    else res.json({ status: 'already_handed_off', item });
  });
  router.post('/v1/care/queue/:brand/:source/:conversation/handled', async (req, res) => {
    const item = await queued(req.params);
    await deps.care.markHandled(item, actorOf(res), deps.clock.now());
    res.json({ status: 'handled', item });
  });
  return router;
}
