import type { ClickHouseClient } from '@clickhouse/client';
import { definedOnly, fromClickHouseTime, selectRows, toClickHouseTime } from './rows.js';

const r4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** Net sentiment: (positive − negative) / mentions, 0 with no mentions. */
export const netSentiment = (positive: number, negative: number, mentions: number) => (mentions ? r4((positive - negative) / mentions) : 0);

export interface SentimentBucket {
  start: string;
  mentions: number;
  negative: number;
  neutral: number;
  positive: number;
  mean_score: number;
  net_sentiment: number;
  /** Mentions carrying the asked-for intent, when one was asked for. */
  intent?: number;
}

export interface VolumeTotal {
  key: string;
  mentions: number;
  negative: number;
  positive: number;
  share: number;
  net_sentiment: number;
}

type Num = string | number;

/**
 * Reads of the per-minute mention rollups (`mention_stats_1m`: counts and score sums per
 * brand, source, minute and sentiment label; `mention_intents_1m`: counts per intent;
 * customers only) for the API and the console.
 */
export class MentionRollups {
  constructor(private readonly client: ClickHouseClient) {}

  private async rows<T>(query: string, params: Record<string, unknown>): Promise<T[]> {
    return selectRows<T>(this.client, query, definedOnly(params));
  }

  /**
   * Per-interval counts per label, mean score and net sentiment of one brand, in event time;
   * with `intent`, each interval also counts the mentions carrying that intent.
   */
  async sentiment(q: { brand: string; source?: string; from: Date; to: Date; intervalS: number; intent?: string }): Promise<SentimentBucket[]> {
    const rows = await this.rows<{ start: string; n: Num; n_negative: Num; n_neutral: Num; n_positive: Num; total_score: number }>(
      `SELECT toStartOfInterval(minute, toIntervalSecond({interval:UInt32})) AS start, sum(mentions) AS n,
              sumIf(mentions, sentiment_label = 'negative') AS n_negative, sumIf(mentions, sentiment_label = 'neutral') AS n_neutral,
              sumIf(mentions, sentiment_label = 'positive') AS n_positive, sum(score_sum) AS total_score
       FROM mention_stats_1m
       WHERE brand = {brand:String} AND minute >= {from:DateTime64(3)} AND minute < {to:DateTime64(3)} ${q.source ? 'AND source = {source:String}' : ''}
       GROUP BY start ORDER BY start`,
      { brand: q.brand, source: q.source, interval: q.intervalS, from: toClickHouseTime(q.from), to: toClickHouseTime(q.to) },
    );
    const withIntent = q.intent ? await this.intentCounts({ ...q, intent: q.intent }) : null;
    return rows.map((r) => {
      const mentions = Number(r.n);
      const negative = Number(r.n_negative);
      const positive = Number(r.n_positive);
      const start = fromClickHouseTime(r.start);
      return {
        start,
        mentions,
        negative,
        neutral: Number(r.n_neutral),
        positive,
        mean_score: mentions ? r4(r.total_score / mentions) : 0,
        net_sentiment: netSentiment(positive, negative, mentions),
        ...(withIntent ? { intent: withIntent.get(start) ?? 0 } : {}),
      };
    });
  }

  /** Mentions carrying one intent per interval, keyed by the interval's start. */
  private async intentCounts(q: { brand: string; source?: string; from: Date; to: Date; intervalS: number; intent: string }): Promise<Map<string, number>> {
    const rows = await this.rows<{ start: string; n: Num }>(
      `SELECT toStartOfInterval(minute, toIntervalSecond({interval:UInt32})) AS start, sum(mentions) AS n
       FROM mention_intents_1m
       WHERE brand = {brand:String} AND intent = {intent:String} AND minute >= {from:DateTime64(3)} AND minute < {to:DateTime64(3)}
         ${q.source ? 'AND source = {source:String}' : ''}
       GROUP BY start`,
      { brand: q.brand, source: q.source, intent: q.intent, interval: q.intervalS, from: toClickHouseTime(q.from), to: toClickHouseTime(q.to) },
    );
    return new Map(rows.map((r) => [fromClickHouseTime(r.start), Number(r.n)]));
  }

  /**
   * Mentions per interval split by brand (share of voice among the tracked brands) or by
   * source, with totals and shares over the range, most mentioned first.
   */
  async volume(q: { by: 'brand' | 'source'; brand?: string; source?: string; from: Date; to: Date; intervalS: number }) {
    const rows = await this.rows<{ start: string; key: string; n: Num; n_negative: Num; n_positive: Num }>(
      `SELECT toStartOfInterval(minute, toIntervalSecond({interval:UInt32})) AS start, ${q.by === 'brand' ? 'brand' : 'source'} AS key,
              sum(mentions) AS n, sumIf(mentions, sentiment_label = 'negative') AS n_negative, sumIf(mentions, sentiment_label = 'positive') AS n_positive
       FROM mention_stats_1m
       WHERE minute >= {from:DateTime64(3)} AND minute < {to:DateTime64(3)} AND brand != ''
         ${q.brand ? 'AND brand = {brand:String}' : ''} ${q.source ? 'AND source = {source:String}' : ''}
       GROUP BY start, key ORDER BY start, key`,
      { interval: q.intervalS, from: toClickHouseTime(q.from), to: toClickHouseTime(q.to), brand: q.brand, source: q.source },
    );
    const sums = new Map<string, { mentions: number; negative: number; positive: number }>();
    const buckets = rows.map((r) => {
      const b = { start: fromClickHouseTime(r.start), key: r.key, mentions: Number(r.n), negative: Number(r.n_negative), positive: Number(r.n_positive) };
      const t = sums.get(r.key) ?? { mentions: 0, negative: 0, positive: 0 };
      t.mentions += b.mentions;
      t.negative += b.negative;
      t.positive += b.positive;
      sums.set(r.key, t);
      return b;
    });
    const all = [...sums.values()].reduce((s, t) => s + t.mentions, 0);
    const totals: VolumeTotal[] = [...sums]
      .map(([key, t]) => ({ key, ...t, share: all ? r4(t.mentions / all) : 0, net_sentiment: netSentiment(t.positive, t.negative, t.mentions) }))
      .sort((a, b) => b.mentions - a.mentions);
    return { totals, buckets };
  }

  /** Every stored brand: its mentions since `since` (most first), in all, and its latest minute. */
  async brands(since: number): Promise<{ brand: string; mentions: number; all_mentions: number; latest: string }[]> {
    // Every brand ever stored, not only recent ones: imported history is data too.
    const rows = await this.rows<{ brand: string; n: Num; all_n: Num; latest: string }>(
      `SELECT brand, sumIf(mentions, minute >= {since:DateTime64(3)}) AS n, sum(mentions) AS all_n, max(minute) AS latest
       FROM mention_stats_1m WHERE brand != '' GROUP BY brand ORDER BY n DESC, all_n DESC, brand`,
      { since: toClickHouseTime(since) },
    );
    return rows.map((r) => ({ brand: r.brand, mentions: Number(r.n), all_mentions: Number(r.all_n), latest: fromClickHouseTime(r.latest) }));
  }

  /** Per brand since `since` (unbranded mentions under ''): mentions, positive, negative and mean score. */
  async brandTotals(since: number): Promise<{ brand: string; mentions: number; positive: number; negative: number; mean_score: number }[]> {
    const rows = await this.rows<{ brand: string; n: Num; pos: Num; neg: Num; score: number }>(
      `SELECT brand, sum(mentions) AS n, sumIf(mentions, sentiment_label = 'positive') AS pos, sumIf(mentions, sentiment_label = 'negative') AS neg,
              sum(score_sum) AS score
       FROM mention_stats_1m WHERE minute >= {since:DateTime64(3)} GROUP BY brand ORDER BY brand`,
      { since: toClickHouseTime(since) },
    );
    return rows.map((r) => ({
      brand: r.brand,
      mentions: Number(r.n),
      positive: Number(r.pos),
      negative: Number(r.neg),
      mean_score: Number(r.n) ? r4(r.score / Number(r.n)) : 0,
    }));
  }

  /**
   * One window of a brand, for before/after comparisons: its mentions, all tracked
   * brands' mentions (for share of voice), its positive, negative and complaint counts.
   */
  async brandWindow(brand: string, from: number, to: number): Promise<{ brand: number; all: number; positive: number; negative: number; complaints: number }> {
    const params = { brand, from: toClickHouseTime(from), to: toClickHouseTime(to) };
    const [s] = await this.rows<Record<string, Num>>(
      `SELECT sumIf(mentions, brand = {brand:String}) AS brand_n, sumIf(mentions, brand != '') AS all_n,
              sumIf(mentions, brand = {brand:String} AND sentiment_label = 'positive') AS pos,
              sumIf(mentions, brand = {brand:String} AND sentiment_label = 'negative') AS neg
       FROM mention_stats_1m WHERE minute >= {from:DateTime64(3)} AND minute < {to:DateTime64(3)}`,
      params,
    );
    const [c] = await this.rows<{ n: Num }>(
      `SELECT sum(mentions) AS n FROM mention_intents_1m WHERE brand = {brand:String} AND intent = 'complaint' AND minute >= {from:DateTime64(3)} AND minute < {to:DateTime64(3)}`,
      params,
    );
    return {
      brand: Number(s?.brand_n ?? 0),
      all: Number(s?.all_n ?? 0),
      positive: Number(s?.pos ?? 0),
      negative: Number(s?.neg ?? 0),
      complaints: Number(c?.n ?? 0),
    };
  }
}
