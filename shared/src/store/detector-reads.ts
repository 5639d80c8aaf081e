import type { ClickHouseClient } from '@clickhouse/client';
import { selectRows as rows, toClickHouseTime } from './rows.js';
import { SURVIVOR, StoryMerges } from './story-merges.js';

/** Counts per fixed-length bucket, oldest first; `start` is the first bucket's start (ms). */
export interface BucketSeries {
  start: number;
  bucketMs: number;
  counts: ArrayLike<number>;
}

/** A negative post of the last hours, with its author's reach and its engagement so far. */
export interface ViralCandidate {
  source: string;
  id: string;
  url: string;
  created_at: number;
  followers: number;
  engagement: number;
}

/** The brand's usual (95th percentile) engagement and author reach. */
export interface ViralNorms {
  engagementP95: number;
  followersP95: number;
}

const MINUTE = 60_000;

export interface SentimentSeries {
  positive: BucketSeries;
  negative: BucketSeries;
  total: BucketSeries;
}

/** The reads the stream detectors need (rollups, recent posts, events), in event time. */
type WindowFilter = {
  intent?: string;
  sentiment?: string;
  source?: string;
  /** One story's mentions (an emerging_story alert's), those of the stories merged into it included. */
  story?: string;
};

/** A brand's customer mentions in [from, to), narrowed by the filter: what an alert's window counted. */
const windowWhere = (filter: WindowFilter) =>
  [
    'has(brands, {brand:String}) AND from_brand = 0 AND created_at >= {from:DateTime64(3)} AND created_at < {to:DateTime64(3)}',
    filter.intent ? 'AND has(intents, {intent:String})' : '',
    filter.sentiment ? 'AND sentiment_label = {sentiment:String}' : '',
    filter.source ? 'AND source = {source:String}' : '',
    filter.story ? 'AND story_id IN {story_parts:Array(String)}' : '',
  ].join(' ');

export class DetectorQueries {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly merges = new StoryMerges(client),
  ) {}

  /** The window's parameters; a story filter reads the story and those merged into it. */
  private async windowParams(brand: string, from: number, to: number, filter: WindowFilter) {
    return {
      brand,
      from: toClickHouseTime(from),
      to: toClickHouseTime(to),
      ...(filter.intent ? { intent: filter.intent } : {}),
      ...(filter.sentiment ? { sentiment: filter.sentiment } : {}),
      ...(filter.source ? { source: filter.source } : {}),
      ...(filter.story ? { story_parts: (await this.merges.of(brand)).parts(filter.story) } : {}),
    };
  }

  async activeBrands(now: number): Promise<string[]> {
    const r = await rows<{ brand: string }>(
      this.client,
      `SELECT DISTINCT brand FROM mention_stats_1m WHERE brand != '' AND minute >= {from:DateTime64(3)} AND minute <= {to:DateTime64(3)} ORDER BY brand`,
      { from: toClickHouseTime(now - 86_400_000), to: toClickHouseTime(now) },
    );
    return r.map((x) => x.brand);
  }

  /** Per-minute complaint counts over [now − minutes, now), zero-filled. */
  async complaintSeries(brand: string, now: number, minutes: number): Promise<BucketSeries> {
    const end = Math.floor(now / MINUTE) * MINUTE + MINUTE;
    const start = end - minutes * MINUTE;
    const r = await rows<{ t: string | number; n: string | number }>(
      this.client,
      `SELECT toUnixTimestamp(minute) * 1000 AS t, sum(mentions) AS n FROM mention_intents_1m
       WHERE brand = {brand:String} AND intent = 'complaint' AND minute >= {from:DateTime64(3)} AND minute < {to:DateTime64(3)} AND minute <= {now:DateTime64(3)}
       GROUP BY minute`,
      { brand, from: toClickHouseTime(start), to: toClickHouseTime(end), now: toClickHouseTime(now) },
    );
    const counts = new Array<number>(minutes).fill(0);
    for (const x of r) {
      const i = Math.round((Number(x.t) - start) / MINUTE);
      if (i >= 0 && i < minutes) counts[i] = Number(x.n);
    }
    return { start, bucketMs: MINUTE, counts };
  }

  /**
   * Per-minute positive, negative and total counts over [now − minutes, now), zero-filled:
   * for the brand as a whole and for each of its sources, from one query.
   */
  async sentimentSeries(brand: string, now: number, minutes: number): Promise<SentimentSeries & { bySource: Map<string, SentimentSeries> }> {
    const end = Math.floor(now / MINUTE) * MINUTE + MINUTE;
    const start = end - minutes * MINUTE;
    const r = await rows<{ t: string | number; source: string; pos: string | number; neg: string | number; n: string | number }>(
      this.client,
      `SELECT toUnixTimestamp(minute) * 1000 AS t, source, sumIf(mentions, sentiment_label = 'positive') AS pos,
              sumIf(mentions, sentiment_label = 'negative') AS neg, sum(mentions) AS n
       FROM mention_stats_1m
       WHERE brand = {brand:String} AND minute >= {from:DateTime64(3)} AND minute < {to:DateTime64(3)} AND minute <= {now:DateTime64(3)}
       GROUP BY minute, source`,
      { brand, from: toClickHouseTime(start), to: toClickHouseTime(end), now: toClickHouseTime(now) },
    );
    const series = () => ({ start, bucketMs: MINUTE, counts: new Array<number>(minutes).fill(0) });
    const make = () => ({ positive: series(), negative: series(), total: series() });
    const all = make();
    const bySource = new Map<string, ReturnType<typeof make>>();
    for (const x of r) {
      const i = Math.round((Number(x.t) - start) / MINUTE);
      if (i < 0 || i >= minutes) continue;
      let s = bySource.get(x.source);
      if (!s) bySource.set(x.source, (s = make()));
      for (const target of [all, s]) {
        target.positive.counts[i] = target.positive.counts[i]! + Number(x.pos);
        target.negative.counts[i] = target.negative.counts[i]! + Number(x.neg);
        target.total.counts[i] = target.total.counts[i]! + Number(x.n);
      }
    }
    return { ...all, bySource };
  }

  /** The brand's events that started in the `beforeMs` before `t` (or are under way then), nearest first. */
  async eventsNear(brand: string, t: number, beforeMs: number): Promise<{ title: string; starts_at: number }[]> {
    const r = await rows<{ title: string; s: string | number }>(
      this.client,
      `SELECT title, toUnixTimestamp64Milli(starts_at) AS s FROM campaign_events FINAL
       WHERE brand = {brand:String} AND deleted = 0 AND starts_at <= {t:DateTime64(3)}
         AND (starts_at >= {from:DateTime64(3)} OR (ends_at IS NOT NULL AND ends_at >= {t:DateTime64(3)}))
       ORDER BY starts_at DESC LIMIT 3`,
      { brand, t: toClickHouseTime(t + 60_000), from: toClickHouseTime(t - beforeMs) },
    );
    return r.map((x) => ({ title: x.title, starts_at: Number(x.s) }));
  }

  async viralCandidates(brand: string, now: number, lookbackMs: number): Promise<ViralCandidate[]> {
    const r = await rows<{ source: string; id: string; url: string; t: string | number; followers: string | number; engagement: string | number }>(
      this.client,
      `SELECT source, id, url, toUnixTimestamp64Milli(created_at) AS t, author_followers AS followers, likes + shares + replies AS engagement
       FROM mentions FINAL
       WHERE has(brands, {brand:String}) AND from_brand = 0 AND sentiment_label = 'negative' AND created_at >= {from:DateTime64(3)} AND created_at <= {now:DateTime64(3)}`,
      { brand, from: toClickHouseTime(now - lookbackMs), now: toClickHouseTime(now) },
    );
    return r.map((x) => ({
      source: x.source,
      id: x.id,
      url: x.url,
      created_at: Number(x.t),
      followers: Number(x.followers),
      engagement: Number(x.engagement),
    }));
  }

  async viralNorms(brand: string, now: number): Promise<ViralNorms> {
    const [r] = await rows<{ e: number | null; f: number | null }>(
      this.client,
      `SELECT quantile(0.95)(likes + shares + replies) AS e, quantile(0.95)(author_followers) AS f
       FROM mentions FINAL WHERE has(brands, {brand:String}) AND from_brand = 0 AND created_at >= {from:DateTime64(3)} AND created_at <= {now:DateTime64(3)}`,
      { brand, from: toClickHouseTime(now - 7 * 86_400_000), now: toClickHouseTime(now) },
    );
    return { engagementP95: Number(r?.e ?? 0) || 0, followersP95: Number(r?.f ?? 0) || 0 };
  }

  /** Mentions per source in a window with the same filters as windowMentions, busiest first: every one counted, not a sample. */
  async windowSources(brand: string, from: number, to: number, filter: WindowFilter) {
    const r = await rows<{ source: string; n: string | number }>(
      this.client,
      `SELECT source, count() AS n FROM mentions FINAL
       WHERE ${windowWhere(filter)}
       GROUP BY source ORDER BY n DESC, source`,
      await this.windowParams(brand, from, to, filter),
    );
    return r.map((x) => ({ source: x.source, mentions: Number(x.n) }));
  }

  /**
   * The stories carrying a window's mentions (same filters as windowMentions), most first,
   * with each one's newest label; a story merged into another counts as that one.
   */
  async windowStories(brand: string, from: number, to: number, filter: WindowFilter, limit: number) {
    const merged = await this.merges.of(brand);
    const r = await rows<{ sid: string; label: string; n: string | number }>(
      this.client,
      `SELECT ${SURVIVOR('story_id')} AS sid, argMaxIf(story_label, created_at, story_label != '') AS label, count() AS n FROM mentions FINAL
       WHERE ${windowWhere(filter)} AND story_id != ''
       GROUP BY sid ORDER BY n DESC, sid LIMIT {limit:UInt32}`,
      {
        ...(await this.windowParams(brand, from, to, filter)),
        ...merged.params(),
        limit,
      },
    );
    return r.map((x) => ({ id: x.sid, label: x.label, mentions: Number(x.n) }));
  }

  /** Mentions of a brand in a window (most engaged, then newest, first), optionally of one intent, sentiment or source. */
  async windowMentions(brand: string, from: number, to: number, filter: WindowFilter, limit: number) {
    return rows<{ source: string; id: string; url: string; text: string }>(
      this.client,
      `SELECT source, id, url, text FROM mentions FINAL
       WHERE ${windowWhere(filter)}
       ORDER BY likes + shares + replies DESC, created_at DESC LIMIT {limit:UInt32}`,
      {
        ...(await this.windowParams(brand, from, to, filter)),
        limit,
      },
    );
  }
}
