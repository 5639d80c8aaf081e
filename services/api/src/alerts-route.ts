import { Router } from 'express';
import { z } from 'zod';
import { ALERT_KINDS, AlertStore, type ClickHouseClient } from '@earshot/shared';
import { parseQuery } from './query-params.js';

const AlertsQuerySchema = z.object({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  brand: z.string().min(1).max(64).optional(),
  kind: z.enum(ALERT_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/** GET /v1/alerts: the newest version of each alert, open ones by default. */
export function createAlertsRouter(deps: { client: ClickHouseClient }): Router {
  const store = new AlertStore(deps.client);
  const router = Router();
  router.get('/v1/alerts', async (req, res, next) => {
    try {
      const q = parseQuery(AlertsQuerySchema, req.query);
      const items = await store.list(q);
      res.json({ items, count: items.length });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
