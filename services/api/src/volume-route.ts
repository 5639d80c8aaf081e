import type { Router } from 'express';
import { exactRouter, type Clock, type MentionRollups } from '@earshot/shared';
import { VolumeQuerySchema, parseQuery } from './query-params.js';

const DAY = 86_400_000;

/**
 * GET /v1/stats/volume?by=brand|source: mentions per interval split by brand (share of
 * voice, every brand) or by source (optionally for one brand), with the totals and shares
 * over the range. GET /v1/brands: every stored brand (most mentioned in the last 30 days
 * first, with its latest stored time), then configured brands with nothing stored.
 */
export function createVolumeRouter(deps: {
  rollups: MentionRollups;
  clock: Clock;
  /** Brands the configuration names. */
  configured?: readonly string[];
}): Router {
  const router = exactRouter();
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
    const stored = new Set(brands.map((b) => b.brand));
    res.json({
      items: [
        ...brands.map((b) => ({ brand: b.brand, mentions_30d: b.mentions, mentions: b.all_mentions, latest: b.latest })),
        // Configured brands nothing was stored for yet, so they can be picked (and seen empty).
        ...(deps.configured ?? []).filter((b) => !stored.has(b)).map((brand) => ({ brand, mentions_30d: 0, mentions: 0, latest: null })),
      ],
    });
  });
  return router;
}
