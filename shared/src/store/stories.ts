import { TupleParam, type ClickHouseClient } from '@clickhouse/client';
import { fromClickHouseTime, selectRows, toClickHouseTime } from './rows.js';
import { SURVIVOR, StoryMerges } from './story-merges.js';
import { viewQueryOver } from './view-query.js';
import type { BucketSeries } from './detector-reads.js';

type Num = string | number;
const HOUR = 3_600_000;
const MINUTE = 60_000;

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
  /** The story that goes on: asked for a story that merged away, this is the one it went into. */
  id: string;
  /** The stories merged into this one (their mentions, counts and posts are in it). */
  merged_ids: string[];
  brand: string;
  label: string;
  first_seen: string;
  last_seen: string;
  totals: StoryCounts & { complaint_share: number };
  timeline: ({ hour: string } & StoryCounts)[];
  sources: { source: string; mentions: number }[];
  posts: StoryPost[];
}

/** One story's customer mentions per minute, as the `emerging_story` detector reads them. */
export interface StorySeries {
  id: string;
  label: string;
  /** Its first mention (ms), from `stories`. */
  firstSeen: number;
  total: BucketSeries;
  negative: BucketSeries;
}

/** A brand's stories as the detector reads them at one moment. */
export interface BrandStories {
  /** Per minute, the brand's mentions in stories then younger than `youngMs`: how many mentions new stories usually bring. */
  young: BucketSeries;
  /** The stories with a mention in the last `activeMs`, each with its series. */
  active: StorySeries[];
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

/** Most posts a story's detail shows. */
const POSTS = 5;

/**
 * The stories' one home: `stories` (a row per story: label, first and last seen, counts,
 * first posts) and `story_stats` (counts per story, minute and source, and customers'
 * mentions for the emerging_story detector), filled by views over `mentions` as the writer
 * stores them. The API counts by the hour: the sum of an hour's minutes. Every read counts
 * a story that merged into another as that one (`story_merges`, chains followed).
 */
export class StoryStore {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly merges = new StoryMerges(client),
  ) {}

  /**
   * A brand's stories with mentions in [from, to) (whole hours), with their counts there
   * and in the window as long just before; `rising` puts the most grown first (new
   * stories count from zero), `volume` the most mentioned.
   */
  async list(q: { brand: string; from: Date; to: Date; sort: StorySort; limit: number }): Promise<StorySummary[]> {
    const from = Math.floor(q.from.getTime() / HOUR) * HOUR;
    const before = from - Math.max(HOUR, q.to.getTime() - from);
    // Whole hours: the hours that start in [before, to), all their minutes.
    const [since, to] = [before, q.to.getTime()].map((t) => Math.ceil(t / HOUR) * HOUR) as [number, number];
    const inRange = (col: string) => `sumIf(${col}, minute >= {from:DateTime64(3)}) AS n_${col}`;
    const merged = await this.merges.of(q.brand);
    const rows = await selectRows<Summed & { id: string; label: string; first_seen: string; last_seen: string; n_previous: Num }>(
      this.client,
      `SELECT id, label, toString(first_seen) AS first_seen, toString(last_seen) AS last_seen,
              n_mentions, n_negative, n_neutral, n_positive, n_complaints, n_previous
       FROM (
         SELECT ${SURVIVOR('story_id')} AS id, ${['mentions', 'negative', 'neutral', 'positive', 'complaints'].map(inRange).join(', ')},
                sumIf(mentions, minute < {from:DateTime64(3)}) AS n_previous
         FROM story_stats
         WHERE brand = {brand:String} AND minute >= {before:DateTime64(3)} AND minute < {to:DateTime64(3)}
         GROUP BY id HAVING n_mentions > 0
       ) AS c
       INNER JOIN (
         SELECT ${SURVIVOR('story_id')} AS id, argMaxMerge(label) AS label, min(first_seen) AS first_seen, max(last_seen) AS last_seen
         FROM stories WHERE brand = {brand:String} GROUP BY id
       ) AS s USING id
       ORDER BY ${q.sort === 'rising' ? 'toInt64(n_mentions) - toInt64(n_previous) DESC, n_mentions DESC' : 'n_mentions DESC'}, id
       LIMIT {limit:UInt32}`,
      { brand: q.brand, from: toClickHouseTime(from), before: toClickHouseTime(since), to: toClickHouseTime(to), limit: q.limit, ...merged.params() },
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

  /**
   * One story: totals, its hourly timeline, its sources and its first posts still stored;
   * null when unknown. A story that merged into another answers as that one, and a story
   * holds the mentions, counts and posts of every story merged into it.
   */
  async get(asked: string): Promise<StoryDetail | null> {
    const brand = await this.merges.brandOf(asked);
    if (brand === null) return null;
    const merged = await this.merges.of(brand);
    const id = merged.survivor(asked);
    const parts = await selectRows<Summed & { story_id: string; label: string; first_seen: string; last_seen: string; samples: [string, string][] }>(
      this.client,
      `SELECT story_id, argMaxMerge(label) AS label, toString(min(first_seen)) AS first_seen, toString(max(last_seen)) AS last_seen, ${SUMS},
              groupArrayMerge(5)(samples) AS samples
       FROM stories WHERE brand = {brand:String} AND story_id IN {ids:Array(String)} GROUP BY story_id
       ORDER BY n_mentions DESC, story_id`,
      { brand, ids: merged.parts(id) },
    );
    if (parts.length === 0) return null;
    const ids = parts.map((p) => p.story_id);
    const where = 'brand = {brand:String} AND story_id IN {ids:Array(String)}';
    const timeline = await selectRows<Summed & { hour: string }>(
      this.client,
      `SELECT toString(toDateTime64(toStartOfHour(minute), 3)) AS hour, ${SUMS} FROM story_stats WHERE ${where} GROUP BY hour ORDER BY hour`,
      { brand, ids },
    );
    const sources = await selectRows<{ source: string; n_mentions: Num }>(
      this.client,
      `SELECT source, sum(mentions) AS n_mentions FROM story_stats WHERE ${where} GROUP BY source ORDER BY n_mentions DESC, source`,
      { brand, ids },
    );
    const samples = samplesOf(parts.map((p) => p.samples));
    // Texts from `mentions`: an erased or deleted post is simply not there.
    const posts = samples.length
      ? await selectRows<StoryPost & { created_at: string }>(
          this.client,
          `SELECT source, id, toString(created_at) AS created_at, text, url, author_handle, sentiment_label AS sentiment
           FROM mentions FINAL WHERE (source, id) IN {keys:Array(Tuple(String, String))} ORDER BY created_at, id`,
          { keys: samples.map((k) => new TupleParam(k)) },
        )
      : [];
    const totals = parts.map(counts).reduce((a, b) => ({
      mentions: a.mentions + b.mentions,
      negative: a.negative + b.negative,
      neutral: a.neutral + b.neutral,
      positive: a.positive + b.positive,
      complaints: a.complaints + b.complaints,
    }));
    const times = (key: 'first_seen' | 'last_seen') => parts.map((p) => p[key]).sort();
    // The label of its newest mention: the part seen last holds it.
    const newest = parts.reduce((a, b) => (b.last_seen > a.last_seen ? b : a));
    return {
      id,
      merged_ids: ids.filter((x) => x !== id).sort(),
      brand,
      label: newest.label,
      first_seen: fromClickHouseTime(times('first_seen')[0]!),
      last_seen: fromClickHouseTime(times('last_seen').at(-1)!),
      totals: { ...totals, complaint_share: share(totals.complaints, totals.mentions) },
      timeline: timeline.map((t) => ({ hour: fromClickHouseTime(t.hour), ...counts(t) })),
      sources: sources.map((r) => ({ source: r.source, mentions: Number(r.n_mentions) })),
      posts: posts.map((p) => ({ ...p, created_at: fromClickHouseTime(p.created_at) })),
    };
  }

  /**
   * A brand's stories per minute over [now − minutes, now), zero-filled, from `story_stats`
   * (customers' mentions; a story is its mentions' first brand's), with each story's first
   * mention from `stories` and its label as of `now`: what the `emerging_story` detector tests.
   */
  async minuteSeries(brand: string, now: number, minutes: number, opts: { youngMs: number; activeMs: number }): Promise<BrandStories> {
    const end = Math.floor(now / MINUTE) * MINUTE + MINUTE;
    const start = end - minutes * MINUTE;
    const merged = await this.merges.of(brand);
    const rows = await selectRows<{ sid: string; t: Num; n: Num; neg: Num }>(
      this.client,
      `SELECT ${SURVIVOR('story_id')} AS sid, toUnixTimestamp(minute) * 1000 AS t, sum(customer_mentions) AS n, sum(customer_negative) AS neg FROM story_stats
       WHERE brand = {brand:String} AND minute >= {from:DateTime64(3)} AND minute < {to:DateTime64(3)} AND minute <= {now:DateTime64(3)}
       GROUP BY sid, minute HAVING n > 0`,
      { brand, from: toClickHouseTime(start), to: toClickHouseTime(end), now: toClickHouseTime(now), ...merged.params() },
    );
    const byStory = new Map<string, { i: number; n: number; neg: number }[]>();
    for (const r of rows) {
      const i = Math.round((Number(r.t) - start) / MINUTE);
      if (i < 0 || i >= minutes) continue;
      const points = byStory.get(r.sid) ?? [];
      points.push({ i, n: Number(r.n), neg: Number(r.neg) });
      byStory.set(r.sid, points);
    }
    const first = new Map<string, number>();
    if (byStory.size)
      for (const r of await selectRows<{ sid: string; first: Num }>(
        this.client,
        `SELECT ${SURVIVOR('story_id')} AS sid, toUnixTimestamp64Milli(min(first_seen)) AS first
         FROM stories WHERE brand = {brand:String} AND story_id IN {ids:Array(String)} GROUP BY sid`,
        { brand, ids: [...byStory.keys()].flatMap((id) => merged.parts(id)), ...merged.params() },
      ))
        first.set(r.sid, Number(r.first));
    // Each active story's label as of `now` (its newest labelled mention's, over the same minutes
    // as the counts), as the alert's explanation reads it: in a replay the `stories` row may
    // already hold a later label.
    const labels = new Map<string, string>();
    for (const r of await selectRows<{ sid: string; label: string }>(
      this.client,
      `SELECT ${SURVIVOR('story_id')} AS sid, argMaxIf(story_label, created_at, story_label != '') AS label FROM mentions FINAL
       WHERE has(brands, {brand:String}) AND brands[1] = {brand:String} AND from_brand = 0 AND story_id != ''
         AND created_at >= {from:DateTime64(3)} AND created_at < {to:DateTime64(3)}
       GROUP BY sid`,
      { brand, from: toClickHouseTime(now - opts.activeMs), to: toClickHouseTime(end), ...merged.params() },
    ))
      labels.set(r.sid, r.label);
    const young = new Float64Array(minutes);
    const activeFrom = Math.floor((now - opts.activeMs - start) / MINUTE);
    const active: StorySeries[] = [];
    for (const [id, points] of byStory) {
      // Without its `stories` row, the story's first minute in the range stands in for its first mention.
      const born = first.get(id) ?? start + Math.min(...points.map((p) => p.i)) * MINUTE;
      for (const p of points) if (start + p.i * MINUTE - born < opts.youngMs) young[p.i] = young[p.i]! + p.n;
      if (!points.some((p) => p.i >= activeFrom)) continue;
      const total = new Float64Array(minutes);
      const negative = new Float64Array(minutes);
      for (const p of points) ((total[p.i] = p.n), (negative[p.i] = p.neg));
      active.push({
        id,
        label: labels.get(id) ?? '',
        firstSeen: born,
        total: { start, bucketMs: MINUTE, counts: total },
        negative: { start, bucketMs: MINUTE, counts: negative },
      });
    }
    active.sort((a, b) => (a.id < b.id ? -1 : 1));
    return { young: { start, bucketMs: MINUTE, counts: young }, active };
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
   * view's own query: after an erasure, no label or sample of theirs is left. The counts
   * in `story_stats` keep their numbers, which name nobody.
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

/**
 * Up to POSTS sample keys from a story's parts (largest first, each's in stored order),
 * taken from each in turn: a merged story shows posts of the stories it was made of.
 */
function samplesOf(parts: [string, string][][]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; out.length < POSTS && parts.some((p) => i < p.length); i++) for (const p of parts) if (i < p.length && out.length < POSTS) out.push(p[i]!);
  return out;
}
