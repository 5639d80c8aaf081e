import { poissonUpperTail } from './poisson.js';

/** Counts per fixed-length bucket, oldest first; `start` is the first bucket's start (ms). */
export interface BucketSeries {
  start: number;
  bucketMs: number;
  counts: number[];
}

export interface Finding {
  observed: number;
  expected: number;
  band: [number, number];
  /** 1 − p: how sure it is not chance. */
  score: number;
  severity: 'info' | 'warning' | 'critical';
  windowStart: number;
  windowEnd: number;
}

export interface SurgeOptions {
  /** Lengths of the recent windows tested, in buckets (e.g. 5 and 15 minutes of 1-minute buckets). */
  windows: number[];
  /** A surge needs at least this many events in the window, however quiet the baseline. */
  minCount: number;
  /** ... and this many times the expected count. */
  minRatio: number;
  /** ... and a Poisson tail probability below this. */
  maxP: number;
  /** Past days whose same time of day forms the seasonal baseline. */
  days: number;
  /** Half-width of the same-time-of-day slot, in buckets. */
  slot: number;
  /** Recent buckets (before the tested window) forming the trailing baseline. */
  trailing: number;
}

// maxP is strict because a detector running every minute over three windows and two series tests
// thousands of windows a day per brand: at 1e-6 that is about one chance alarm per brand per hundred days.
export const DEFAULT_SURGE: SurgeOptions = { windows: [2, 5, 15], minCount: 5, minRatio: 3, maxP: 1e-6, days: 7, slot: 30, trailing: 120 };

const DAY = 86_400_000;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/**
 * Expected count per bucket at the end of the series: the mean of the same time of day
 * on earlier days (seasonality: hour of day, and day of week through the days averaged),
 * blended with the trailing hours before the tested window; never below a small floor,
 * so a brand that is usually silent still needs several events to surge.
 */
export function expectedPerBucket(series: BucketSeries, windowBuckets: number, opts: SurgeOptions): number {
  const n = series.counts.length;
  const perDay = Math.round(DAY / series.bucketMs);
  const seasonal: number[] = [];
  for (let d = 1; d <= opts.days; d++) {
    const centre = n - windowBuckets - d * perDay;
    for (let i = centre - opts.slot; i <= centre + opts.slot + windowBuckets; i++) if (i >= 0 && i < n) seasonal.push(series.counts[i]!);
  }
  const trailingEnd = n - windowBuckets;
  const trailing = series.counts.slice(Math.max(0, trailingEnd - opts.trailing), Math.max(0, trailingEnd));
  const parts = [seasonal.length ? mean(seasonal) : null, trailing.length ? mean(trailing) : null].filter((x): x is number => x !== null);
  const base = parts.length ? mean(parts) : 0;
  return Math.max(base, 0.02);
}

/** A count surge at the end of the series, judged against a seasonal Poisson baseline. */
export function detectSurge(series: BucketSeries, opts: SurgeOptions = DEFAULT_SURGE): Finding | null {
  let best: Finding | null = null;
  const n = series.counts.length;
  for (const w of opts.windows) {
    if (n < w) continue;
    const observed = series.counts.slice(n - w).reduce((a, b) => a + b, 0);
    const expected = expectedPerBucket(series, w, opts) * w;
    const p = poissonUpperTail(observed, expected);
    if (observed < opts.minCount || observed < opts.minRatio * expected || p > opts.maxP) continue;
    const sd = Math.sqrt(expected);
    const finding: Finding = {
      observed,
      expected: Math.round(expected * 100) / 100,
      band: [Math.max(0, Math.round((expected - 3 * sd) * 100) / 100), Math.round((expected + 3 * sd) * 100) / 100],
      score: 1 - p,
      severity: observed >= 10 * expected && observed >= 3 * opts.minCount ? 'critical' : observed >= 5 * expected ? 'warning' : 'info',
      windowStart: series.start + (n - w) * series.bucketMs,
      windowEnd: series.start + n * series.bucketMs,
    };
    if (!best || finding.score > best.score || (finding.score === best.score && finding.observed > best.observed)) best = finding;
  }
  return best;
}

export interface ViralCandidate {
  source: string;
  id: string;
  url: string;
  created_at: number;
  followers: number;
  engagement: number;
}

export interface ViralNorms {
  /** The brand's usual (95th percentile) engagement and author reach. */
  engagementP95: number;
  followersP95: number;
}

/**
 * A negative mention spreading far faster, or from an author far larger, than the
 * brand's norm. Velocity is engagement per minute since posting, so a post is caught
 * while it spreads, before the volume follows.
 */
export function detectViral(candidates: ViralCandidate[], norms: ViralNorms, now: number, opts = { factor: 20, minEngagement: 200, minFollowers: 20_000, minVelocity: 20 }): (ViralCandidate & { velocity: number; reason: string })[] {
  return candidates.flatMap((c) => {
    const minutes = Math.max(1, (now - c.created_at) / 60_000);
    const velocity = c.engagement / minutes;
    const hotEngagement = c.engagement >= Math.max(opts.minEngagement, opts.factor * norms.engagementP95) && velocity >= opts.minVelocity;
    const bigAuthor = c.followers >= Math.max(opts.minFollowers, opts.factor * norms.followersP95);
    if (!hotEngagement && !bigAuthor) return [];
    const reason = [hotEngagement ? `${Math.round(velocity)} interactions/min` : '', bigAuthor ? `author with ${c.followers.toLocaleString('en-US')} followers` : ''].filter(Boolean).join(', ');
    return [{ ...c, velocity, reason }];
  });
}
