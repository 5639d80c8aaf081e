import express, { Router, type ErrorRequestHandler } from 'express';
import type { Metrics } from '@earshot/shared';
import type { Ingestor } from './ingestor.js';
import { BodyError, parseMentionsBody } from './parse-body.js';

/**
 * POST /v1/mentions: a JSON array (or one object) or NDJSON. Answers 202 with the
 * count accepted and each rejected item's index, id and reason; 400 when the body as a
 * whole cannot be read, 413 when it is larger than EARSHOT_MAX_BODY_BYTES.
 */
export function createWebhookRouter(deps: { ingestor: Ingestor; metrics: Metrics; maxBodyBytes: number }): Router {
  const router = Router();
  router.post('/v1/mentions', express.raw({ type: () => true, limit: deps.maxBodyBytes }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const items = parseMentionsBody(body, req.get('content-type'));
    const result = await deps.ingestor.ingest(items, 'http');
    res.status(202).json({ accepted: result.accepted, rejected: result.rejected.map(({ category: _c, ...r }) => r) });
  });
  router.use('/v1/mentions', intakeErrors(deps, 'http'));
  return router;
}

/**
 * How every intake route answers a body it cannot take: 400 (unreadable) or 413 (over
 * EARSHOT_MAX_BODY_BYTES) with the reason, counted in earshot_ingest_rejected_total.
 */
export function intakeErrors(deps: { metrics: Metrics; maxBodyBytes: number }, via: string): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (err instanceof BodyError) {
      deps.metrics.ingestRejected.inc({ via, reason: err.category });
      res.status(err.status).json({ error: err.message });
      return;
    }
    if (err?.name === 'BusUnavailableError') {
      deps.metrics.ingestRejected.inc({ via, reason: 'unavailable' });
      res
        .status(503)
        .set('retry-after', '30')
        .json({
          error: err.someKept
            ? `not accepted: ${err.message}. Part of it may have been kept; retry all of it later (mentions are stored once by source and id)`
            : `not accepted, nothing was kept: ${err.message}. Retry later`,
        });
      return;
    }
    if (err?.type === 'entity.too.large') {
      deps.metrics.ingestRejected.inc({ via, reason: 'too_large' });
      res.status(413).json({ error: `body is larger than ${deps.maxBodyBytes} bytes (EARSHOT_MAX_BODY_BYTES); split it into smaller batches` });
      return;
    }
    next(err);
  };
}
