import { Router } from 'express';
import type { Clock, MentionRollups } from '@earshot/shared';
import { VolumeQuerySchema, parseQuery } from './query-params.js';

const DAY = 86_400_000;

/**
 * GET /v1/stats/volume?by=brand|source: mentions per interval split by brand (share of
 * voice, every brand) or by source (optionally for one brand), with the totals and shares
 * over the range. GET /v1/brands: the brands with mentions in the last 30 days.
 */
export function createVolumeRouter(deps: { rollups: MentionRollups; clock: Clock }): Router {
  const router = Router();
  router.get('/v1/stats/volume', async (req, res) => {
    const q = parseQuery(VolumeQuerySchema, req.query);
    const to = q.to ?? new Date(deps.clock.now());
    const from = q.from ?? new Date(to.getTime() - 7 * DAY);
    const { totals, buckets } = await deps.rollups.volume({ by: q.by, brand: q.brand, source: q.source, from, to, intervalS: q.interval });
    res.json({
      by: q.by,
      ...(q.brand ? { brand: q.brand } : {}),
      ...(q.source ? { source: q.source } : {}),
      from: from.toISOString(),
      to: to.toISOString(),
      interval_seconds: q.interval,
      totals,
      buckets,
    });
  });
  router.get('/v1/brands', async (_req, res) => {
    const brands = await deps.rollups.brands(deps.clock.now() - 30 * DAY);
    res.json({ items: brands.map((b) => ({ brand: b.brand, mentions_30d: b.mentions })) });
  });
  return router;
}
