import type { Router } from 'express';
import { z } from 'zod';
import { exactRouter, type ClickHouseClient, type Clock } from '@earshot/shared';
import { buildDigest, DIGEST_PERIODS, type DigestPeriod } from './digest.js';
import { digestHtml } from './digest-html.js';
import { parseQuery, time } from './query-params.js';

const DigestQuerySchema = z.object({
  brand: z.string().min(1).max(64),
  period: z.enum(Object.keys(DIGEST_PERIODS) as [DigestPeriod, ...DigestPeriod[]]).default('day'),
  format: z.enum(['json', 'html']).default('json'),
  /** The end of the period (default: now). */
  to: time.optional(),
});

/**
 * GET /v1/digest?brand&period=day|week[&format=html]: a brand's day or week against the
 * one before (see `buildDigest`), as JSON or as an HTML page fit for email.
 */
export function createDigestRouter(deps: { client: ClickHouseClient; clock: Clock }): Router {
  const router = exactRouter();
  router.get('/v1/digest', async (req, res) => {
    const q = parseQuery(DigestQuerySchema, req.query);
    const digest = await buildDigest(deps.client, { brand: q.brand, period: q.period, to: q.to?.getTime() ?? deps.clock.now() });
    if (q.format === 'html') res.type('html').send(digestHtml(digest));
    else res.json(digest);
  });
  return router;
}
