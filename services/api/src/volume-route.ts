import { Router } from 'express';
import { fromClickHouseTime, toClickHouseTime, type ClickHouseClient, type Clock } from '@earshot/shared';
import { VolumeQuerySchema, definedOnly, parseQuery } from './query-params.js';

const DAY = 86_400_000;

interface Row {
  start: string;
  key: string;
  n: string | number;
  n_negative: string | number;
  n_positive: string | number;
}

/**
 * GET /v1/stats/volume?by=brand|source: mentions per interval split by brand (share of
 * voice, every brand) or by source (optionally for one brand), with the totals and shares
 * over the range. GET /v1/brands: the brands with mentions in the last 30 days.
 */
export function createVolumeRouter(deps: { client: ClickHouseClient; clock: Clock }): Router {
  const router = Router();
  router.get('/v1/stats/volume', async (req, res, next) => {
    try {
      const q = parseQuery(VolumeQuerySchema, req.query);
      const to = q.to ?? new Date(deps.clock.now());
      const from = q.from ?? new Date(to.getTime() - 7 * DAY);
      const rows = await (
        await deps.client.query({
          query: `SELECT toStartOfInterval(minute, toIntervalSecond({interval:UInt32})) AS start, ${q.by} AS key,
                    sum(mentions) AS n, sumIf(mentions, sentiment_label = 'negative') AS n_negative, sumIf(mentions, sentiment_label = 'positive') AS n_positive
                  FROM mention_stats_1m
                  WHERE minute >= {from:DateTime64(3)} AND minute < {to:DateTime64(3)} AND brand != ''
                    ${q.brand ? 'AND brand = {brand:String}' : ''} ${q.source ? 'AND source = {source:String}' : ''}
                  GROUP BY start, key ORDER BY start, key`,
          query_params: definedOnly({ interval: q.interval, from: toClickHouseTime(from), to: toClickHouseTime(to), brand: q.brand, source: q.source }),
          format: 'JSONEachRow',
        })
      ).json<Row>();
      const totals = new Map<string, { mentions: number; negative: number; positive: number }>();
      const buckets = rows.map((r) => {
        const b = { start: fromClickHouseTime(r.start), key: r.key, mentions: Number(r.n), negative: Number(r.n_negative), positive: Number(r.n_positive) };
        const t = totals.get(r.key) ?? { mentions: 0, negative: 0, positive: 0 };
        t.mentions += b.mentions;
        t.negative += b.negative;
        t.positive += b.positive;
        totals.set(r.key, t);
        return b;
      });
      const all = [...totals.values()].reduce((s, t) => s + t.mentions, 0);
      res.json({
        by: q.by,
        ...(q.brand ? { brand: q.brand } : {}),
        ...(q.source ? { source: q.source } : {}),
        from: from.toISOString(),
        to: to.toISOString(),
        interval_seconds: q.interval,
        totals: [...totals]
          .map(([key, t]) => ({ key, ...t, share: all ? Math.round((t.mentions / all) * 10_000) / 10_000 : 0, net_sentiment: t.mentions ? Math.round(((t.positive - t.negative) / t.mentions) * 10_000) / 10_000 : 0 }))
          .sort((a, b) => b.mentions - a.mentions),
        buckets,
      });
    } catch (err) {
      next(err);
    }
  });
  router.get('/v1/brands', async (_req, res, next) => {
    try {
      const rows = await (
        await deps.client.query({
          query: `SELECT brand, sum(mentions) AS n FROM mention_stats_1m
                  WHERE minute >= {since:DateTime64(3)} AND brand != '' GROUP BY brand ORDER BY n DESC, brand`,
          query_params: { since: toClickHouseTime(deps.clock.now() - 30 * DAY) },
          format: 'JSONEachRow',
        })
      ).json<{ brand: string; n: string | number }>();
      res.json({ items: rows.map((r) => ({ brand: r.brand, mentions_30d: Number(r.n) })) });
    } catch (err) {
      next(err);
    }
  });
  return router;
}
