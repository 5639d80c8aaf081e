import { Router } from 'express';
import type { CareStore, Clock } from '@earshot/shared';
import { CareQueueQuerySchema, CareStatsQuerySchema, parseQuery } from './query-params.js';

const DAY = 86_400_000;

/**
 * GET /v1/stats/care: response rate, time to first reply (p50, p90), replies per
 * conversation and outcome (the customer's sentiment after the brand's reply against
 * their first message), for a brand, overall and per source, over conversations whose
 * first complaint or question falls in [from, to) (default: the last 7 days).
 * GET /v1/care/queue: open complaints and questions no brand account has answered.
 */
export function createCareRouter(deps: { care: CareStore; clock: Clock }): Router {
  const router = Router();
  router.get('/v1/stats/care', async (req, res, next) => {
    try {
      const q = parseQuery(CareStatsQuerySchema, req.query);
      const to = q.to?.getTime() ?? deps.clock.now();
      const from = q.from?.getTime() ?? to - 7 * DAY;
      const stats = await deps.care.stats({ brand: q.brand, source: q.source, from, to });
      res.json({ brand: q.brand, ...(q.source ? { source: q.source } : {}), from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...stats });
    } catch (err) {
      next(err);
    }
  });
  router.get('/v1/care/queue', async (req, res, next) => {
    try {
      const q = parseQuery(CareQueueQuerySchema, req.query);
      const now = deps.clock.now();
      const items = await deps.care.queue({ brand: q.brand, source: q.source, since: now - q.hours * 3_600_000, now, limit: q.limit, order: q.sort });
      res.json({ items, count: items.length });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
