import { Router } from 'express';
import { fromClickHouseTime, toClickHouseTime, type ClickHouseClient, type Clock } from '@earshot/shared';
import { SentimentStatsQuerySchema, definedOnly, parseQuery } from './query-params.js';

const DEFAULT_RANGE_MS = 7 * 86_400_000;

interface BucketRow {
  start: string;
  n: string | number;
  n_negative: string | number;
  n_neutral: string | number;
  n_positive: string | number;
  total_score: number;
}

/**
 * GET /v1/stats/sentiment: per-interval mention counts, counts per label, mean score
 * and net sentiment ((positive − negative) / mentions) for one brand, in event time,
 * read from the per-minute rollup.
 */
export function createStatsRouter(deps: { client: ClickHouseClient; clock: Clock }): Router {
  const router = Router();
  router.get('/v1/stats/sentiment', async (req, res, next) => {
    try {
      const q = parseQuery(SentimentStatsQuerySchema, req.query);
      const to = q.to ?? new Date(deps.clock.now());
      const from = q.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
      const result = await deps.client.query({
        query: `SELECT
                  toStartOfInterval(minute, toIntervalSecond({interval:UInt32})) AS start,
                  sum(mentions) AS n,
                  sumIf(mentions, sentiment_label = 'negative') AS n_negative,
                  sumIf(mentions, sentiment_label = 'neutral') AS n_neutral,
                  sumIf(mentions, sentiment_label = 'positive') AS n_positive,
                  sum(score_sum) AS total_score
                FROM mention_stats_1m
                WHERE brand = {brand:String}
                  AND minute >= {from:DateTime64(3)} AND minute < {to:DateTime64(3)}
                  ${q.source ? 'AND source = {source:String}' : ''}
                GROUP BY start
                ORDER BY start`,
        query_params: definedOnly({ brand: q.brand, source: q.source, interval: q.interval, from: toClickHouseTime(from), to: toClickHouseTime(to) }),
        format: 'JSONEachRow',
      });
      const rows = await result.json<BucketRow>();
      const buckets = rows.map((r) => {
        const mentions = Number(r.n);
        const negative = Number(r.n_negative);
        const positive = Number(r.n_positive);
        return {
          start: fromClickHouseTime(r.start),
          mentions,
          negative,
          neutral: Number(r.n_neutral),
          positive,
          mean_score: mentions ? Math.round((r.total_score / mentions) * 10_000) / 10_000 : 0,
          net_sentiment: mentions ? Math.round(((positive - negative) / mentions) * 10_000) / 10_000 : 0,
        };
      });
      res.json({
        brand: q.brand,
        ...(q.source ? { source: q.source } : {}),
        from: from.toISOString(),
        to: to.toISOString(),
        interval_seconds: q.interval,
        total: buckets.reduce((s, b) => s + b.mentions, 0),
        buckets,
      });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
