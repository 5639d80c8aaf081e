import express, { type Router, type ErrorRequestHandler } from 'express';
import { exactRouter, type Metrics } from '@earshot/shared';
import type { Ingestor } from './ingestor.js';
import { BodyError, parseMentionsBody, type BodyItem } from './parse-body.js';
import { csvImport, CsvMappingError, parseColumnMap } from './csv-mapping.js';

/**
 * POST /v1/mentions: a JSON array (or one object) or NDJSON. Answers 202 with the
 * counts and the rejected items' index, id and reason (`intakeAnswer`); 400 when the body as a
 * whole cannot be read, 413 when it is larger than EARSHOT_MAX_BODY_BYTES.
 */
export function createWebhookRouter(deps: { ingestor: Ingestor; metrics: Metrics; maxBodyBytes: number; brandIds?: readonly string[] }): Router {
  const router = exactRouter();
  router.post('/v1/mentions', express.raw({ type: () => true, limit: deps.maxBodyBytes }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const csv = /^\s*(text|application)\/csv\b/i.test(req.get('content-type') ?? '');
    const rows = csv ? csvBody(body, req.query, deps.brandIds ?? []) : null;
    const result = await deps.ingestor.ingest(rows ?? parseMentionsBody(body, req.get('content-type')), 'http');
    // A CSV row is found by its line, which the index alone does not give (quoted fields span lines).
    const rejected = rows ? result.rejected.map((r) => ({ ...r, reason: `line ${rows[r.index]!.line}: ${r.reason}` })) : result.rejected;
    res.status(202).json(intakeAnswer(result.accepted, result.duplicates, rejected));
  });
  router.use('/v1/mentions', intakeErrors(deps, 'http'));
  return router;
}

/**
 * A `text/csv` body: the standard columns, or a file from another tool read with the
 * query's `map`, `timezone` and `source` (as `earshot replay --map`); a mapping that does
 * not fit the file is a 400.
 */
function csvBody(body: Buffer, query: Record<string, unknown>, brandIds: readonly string[]): (BodyItem & { line: number })[] {
  if (body.length === 0) throw new BodyError(400, 'body is empty: send a CSV with a header row', 'empty');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new BodyError(400, 'body is not valid UTF-8: save the CSV as UTF-8', 'invalid_utf8');
  }
  const param = (name: string) => {
    const v = query[name];
    if (v !== undefined && typeof v !== 'string') throw new BodyError(400, `query parameter ${name} is given more than once`, 'invalid_csv');
    return v || undefined;
  };
  try {
    const map = param('map');
    return csvImport(text, { map: map ? parseColumnMap(map) : undefined, timezone: param('timezone'), source: param('source'), brands: brandIds }).items;
  } catch (err) {
    if (err instanceof CsvMappingError) throw new BodyError(400, err.message.replace(/--(map|source|timezone) /g, '$1='), 'invalid_csv');
    throw err;
  }
}

/** The rejected items an intake answer lists: a 100,000-item body of bad items once made a 34 MB answer. */
export const MAX_REJECTED_LISTED = 100;

/**
 * What an intake route answers: the counts, and the first rejected items with their
 * index, id and reason (`rejected_total` says how many there were in all).
 */
export function intakeAnswer(accepted: number, duplicates: number, rejected: { index: number; id?: string; reason: string }[]) {
  return {
    accepted,
    duplicates,
    rejected: rejected.slice(0, MAX_REJECTED_LISTED).map(({ index, id, reason }) => ({ index, ...(id !== undefined ? { id } : {}), reason })),
    rejected_total: rejected.length,
  };
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
