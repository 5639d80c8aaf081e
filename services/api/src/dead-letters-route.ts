import type { Router } from 'express';
import { z } from 'zod';
import { DeadLetterReads, exactRouter, type ClickHouseClient, type Clock } from '@earshot/shared';
import { parseQuery } from './query-params.js';

const DeadLettersQuerySchema = z.object({
  origin: z.string().min(1).max(200).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

/**
 * GET /v1/dead-letters: what was refused and why, newest first, with a count per reason
 * (admin: the payloads are the refused input, people's posts among them).
 */
export function createDeadLettersRouter(deps: { client: ClickHouseClient; clock: Clock }): Router {
  const reads = new DeadLetterReads(deps.client);
  const router = exactRouter();
  router.get('/v1/dead-letters', async (req, res) => {
    const q = parseQuery(DeadLettersQuerySchema, req.query);
    const since = q.since ?? new Date(deps.clock.now() - 7 * 86_400_000).toISOString();
    res.json({ since, ...(await reads.list({ origin: q.origin, since, limit: q.limit })) });
  });
  return router;
}
