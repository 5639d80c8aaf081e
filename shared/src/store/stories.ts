import { TupleParam, type ClickHouseClient } from '@clickhouse/client';
import { fromClickHouseTime, selectRows, toClickHouseTime } from './rows.js';
import { viewQueryOver } from './view-query.js';

type Num = string | number;
const HOUR = 3_600_000;

export type StorySort = 'rising' | 'volume';

export interface StoryCounts {
  mentions: number;
  negative: number;
  neutral: number;
  positive: number;
  complaints: number;
}

export interface StorySummary extends StoryCounts {
  id: string;
  brand: string;
  label: string;
  first_seen: string;
  last_seen: string;
  /** Mentions in the window of the same length just before `from`. */
  previous_mentions: number;
  /** First seen within the range. */
  new: boolean;
  complaint_share: number;
}

export interface StoryPost {
  source: string;
  id: string;
  created_at: string;
  text: string;
  url: string;
  author_handle: string;
  sentiment: string;
}

export interface StoryDetail {
  id: string;
  brand: string;
  label: string;
  first_seen: string;
  last_seen: string;
  totals: StoryCounts & { complaint_share: number };
  timeline: ({ hour: string } & StoryCounts)[];
  sources: { source: string; mentions: number }[];
  posts: StoryPost[];
}

/** Counts as summed: `n_` names, as an alias may not shadow the column it sums. */
interface Summed {
  n_mentions: Num;
  n_negative: Num;
  n_neutral: Num;
  n_positive: Num;
  n_complaints: Num;
}
const counts = (r: Summed): StoryCounts => ({
  mentions: Number(r.n_mentions),
  negative: Number(r.n_negative),
  neutral: Number(r.n_neutral),
  positive: Number(r.n_positive),
  complaints: Number(r.n_complaints),
});
const share = (part: number, whole: number) => (whole ? Math.round((10_000 * part) / whole) / 10_000 : 0);
const SUMS =
  'sum(mentions) AS n_mentions, sum(negative) AS n_negative, sum(neutral) AS n_neutral, sum(positive) AS n_positive, sum(complaints) AS n_complaints';

/**
 * The stories' one home: `stories` (a row per story: label, first and last seen, counts,
 * first posts) and `story_stats_1h` (counts per story, hour and source), both filled by
 * views over `mentions` as the writer stores them. Counted by the hour.
 */
export class StoryStore {
  constructor(private readonly client: ClickHouseClient) {}

  /**
   * A brand's stories with mentions in [from, to) (whole hours), with their counts there
   * and in the window as long just before; `rising` puts the most grown first (new
   * stories count from zero), `volume` the most mentioned.
   */
  async list(q: { brand: string; from: Date; to: Date; sort: StorySort; limit: number }): Promise<StorySummary[]> {
    const from = Math.floor(q.from.getTime() / HOUR) * HOUR;
    const before = from - Math.max(HOUR, q.to.getTime() - from);
    const inRange = (col: string) => `sumIf(${col}, hour >= {from:DateTime64(3)}) AS n_${col}`;
    const rows = await selectRows<Summed & { id: string; label: string; first_seen: string; last_seen: string; n_previous: Num }>(
      this.client,
      `SELECT id, label, toString(first_seen) AS first_seen, toString(last_seen) AS last_seen,
              n_mentions, n_negative, n_neutral, n_positive, n_complaints, n_previous
       FROM (
         SELECT story_id AS id, ${['mentions', 'negative', 'neutral', 'positive', 'complaints'].map(inRange).join(', ')},
                sumIf(mentions, hour < {from:DateTime64(3)}) AS n_previous
         FROM story_stats_1h
         WHERE brand = {brand:String} AND hour >= {before:DateTime64(3)} AND hour < {to:DateTime64(3)}
         GROUP BY id HAVING n_mentions > 0
       ) AS c
       INNER JOIN (
         SELECT story_id AS id, argMaxMerge(label) AS label, min(first_seen) AS first_seen, max(last_seen) AS last_seen
         FROM stories WHERE brand = {brand:String} GROUP BY id
       ) AS s USING id
       ORDER BY ${q.sort === 'rising' ? 'toInt64(n_mentions) - toInt64(n_previous) DESC, n_mentions DESC' : 'n_mentions DESC'}, id
       LIMIT {limit:UInt32}`,
      { brand: q.brand, from: toClickHouseTime(from), before: toClickHouseTime(before), to: toClickHouseTime(q.to), limit: q.limit },
    );
    return rows.map((r) => {
      const c = counts(r);
      const firstSeen = fromClickHouseTime(r.first_seen);
      return {
        id: r.id,
        brand: q.brand,
        label: r.label,
        first_seen: firstSeen,
        last_seen: fromClickHouseTime(r.last_seen),
        ...c,
        previous_mentions: Number(r.n_previous),
        new: Date.parse(firstSeen) >= from,
        complaint_share: share(c.complaints, c.mentions),
      };
    });
  }

  /** One story: totals, its hourly timeline, its sources and its first posts still stored; null when unknown. */
  async get(id: string): Promise<StoryDetail | null> {
    const [s] = await selectRows<Summed & { brand: string; label: string; first_seen: string; last_seen: string; samples: [string, string][] }>(
      this.client,
      `SELECT brand, argMaxMerge(label) AS label, toString(min(first_seen)) AS first_seen, toString(max(last_seen)) AS last_seen, ${SUMS},
              groupArrayMerge(5)(samples) AS samples
       FROM stories WHERE story_id = {id:String} GROUP BY brand LIMIT 1`,
      { id },
    );
    if (!s) return null;
    const where = 'brand = {brand:String} AND story_id = {id:String}';
    const timeline = await selectRows<Summed & { hour: string }>(
      this.client,
      `SELECT toString(toDateTime64(hour, 3)) AS hour, ${SUMS} FROM story_stats_1h WHERE ${where} GROUP BY hour ORDER BY hour`,
      { brand: s.brand, id },
    );
    const sources = await selectRows<{ source: string; n_mentions: Num }>(
      this.client,
      `SELECT source, sum(mentions) AS n_mentions FROM story_stats_1h WHERE ${where} GROUP BY source ORDER BY n_mentions DESC, source`,
      { brand: s.brand, id },
    );
    // Texts from `mentions`: an erased or deleted post is simply not there.
    const posts = s.samples.length
      ? await selectRows<StoryPost & { created_at: string }>(
          this.client,
          `SELECT source, id, toString(created_at) AS created_at, text, url, author_handle, sentiment_label AS sentiment
           FROM mentions FINAL WHERE (source, id) IN {keys:Array(Tuple(String, String))} ORDER BY created_at, id`,
          { keys: s.samples.map((k) => new TupleParam(k)) },
        )
      : [];
    const totals = counts(s);
    return {
      id,
      brand: s.brand,
      label: s.label,
      first_seen: fromClickHouseTime(s.first_seen),
      last_seen: fromClickHouseTime(s.last_seen),
      totals: { ...totals, complaint_share: share(totals.complaints, totals.mentions) },
      timeline: timeline.map((t) => ({ hour: fromClickHouseTime(t.hour), ...counts(t) })),
      sources: sources.map((r) => ({ source: r.source, mentions: Number(r.n_mentions) })),
      posts: posts.map((p) => ({ ...p, created_at: fromClickHouseTime(p.created_at) })),
    };
  }

  /** The stories (brand, id) that stored mentions matching `where` are in: read before an erasure deletes them. */
  async storiesOf(where: string, params: Record<string, unknown>): Promise<[string, string][]> {
    const rows = await selectRows<{ brand: string; story_id: string }>(
      this.client,
      `SELECT DISTINCT if(empty(brands), '', brands[1]) AS brand, story_id FROM mentions WHERE story_id != '' AND (${where})`,
      params,
    );
    return rows.map((r) => [r.brand, r.story_id]);
  }

  /**
   * Remakes these stories' rows in `stories` from the mentions that remain, through the
   * view's own query: after an erasure, no label or sample of theirs is left. The hourly
   * counts keep their numbers, which name nobody.
   */
  async rebuild(keys: readonly [string, string][]): Promise<void> {
    if (keys.length === 0) return;
    const params = { keys: keys.map((k) => new TupleParam([...k])), ids: [...new Set(keys.map((k) => k[1]))] };
    await this.client.command({
      query: 'ALTER TABLE stories DELETE WHERE (brand, story_id) IN {keys:Array(Tuple(String, String))}',
      query_params: params,
      clickhouse_settings: { mutations_sync: '2' },
    });
    const select = await viewQueryOver(this.client, 'stories_mv', 'SELECT * FROM mentions WHERE story_id IN {ids:Array(String)}');
    await this.client.command({
      query: `INSERT INTO stories (brand, story_id, label, first_seen, last_seen, mentions, negative, neutral, positive, complaints, samples)
              SELECT brand, story_id, label, first_seen, last_seen, mentions, negative, neutral, positive, complaints, samples FROM (${select}) WHERE (brand, story_id) IN {keys:Array(Tuple(String, String))}`,
      query_params: params,
    });
  }
}
