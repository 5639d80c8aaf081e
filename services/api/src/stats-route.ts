import type { Router } from 'express';
import { exactRouter, type Clock, type MentionRollups } from '@earshot/shared';
import { SentimentStatsQuerySchema, parseQuery } from './query-params.js';

const DEFAULT_RANGE_MS = 7 * 86_400_000;

/**
 * GET /v1/stats/sentiment: per-interval mention counts, counts per label, mean score
 * and net sentiment ((positive − negative) / mentions) for one brand, in event time,
 * read from the per-minute rollup; with `intent`, each bucket also counts that intent.
 */
export function createStatsRouter(deps: { rollups: MentionRollups; clock: Clock }): Router {
  const router = exactRouter();
  router.get('/v1/stats/sentiment', async (req, res) => {
    const q = parseQuery(SentimentStatsQuerySchema, req.query);
    const to = q.to ?? new Date(deps.clock.now());
    const from = q.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
    const buckets = await deps.rollups.sentiment({ brand: q.brand, source: q.source, from, to, intervalS: q.interval, intent: q.intent });
    res.json({
      brand: q.brand,
      ...(q.source ? { source: q.source } : {}),
      from: from.toISOString(),
      to: to.toISOString(),
      interval_seconds: q.interval,
      ...(q.intent ? { intent: q.intent } : {}),
      total: buckets.reduce((s, b) => s + b.mentions, 0),
      buckets,
    });
  });
  return router;
}
