import type { BucketSeries, Sensitivity, ViralCandidate, ViralNorms } from '@earshot/shared';
import { median, surgeAt, type SurgeModel } from './core/surge.js';
import type { Finding } from './finding.js';
import { negativeBinomialUpperTail } from './poisson.js';
import { DEFAULT_SHARE_RISE, type ShareRiseOptions } from './share-rise.js';

export type { BucketSeries, ViralCandidate, ViralNorms };
export type { Finding };

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

/**
 * The stream count tests' model: counts against the same time of day on earlier days and
 * the trailing hours, their median rate (robust), so an incident cannot raise its own baseline.
 */
const countModel = (series: BucketSeries, opts: SurgeOptions, windows: number[]): SurgeModel => ({
  mode: 'counts',
  windows,
  perDay: Math.round(DAY / series.bucketMs),
  days: opts.days,
  slot: opts.slot,
  trailing: opts.trailing,
  twoSided: false,
  robust: true,
});

/** The count a series usually has over its last `buckets` buckets, by the surge test's baseline. */
export function usualCount(series: BucketSeries, buckets: number, opts: SurgeOptions = DEFAULT_SURGE): number {
  return surgeAt(series.counts, series.counts.length, countModel(series, opts, [buckets]))?.expected ?? 0;
}

/**
 * Buckets since the series' first non-zero one (its first mention), up to its end; 0 when it
 * has none. Zeros before it are no history: the store had nothing yet.
 */
export function historyLength(series: BucketSeries): number {
  const n = series.counts.length;
  for (let i = 0; i < n; i++) if (series.counts[i]! > 0) return n - i;
  return 0;
}

/**
 * A count surge at the end of the series: the shared surge test (core/surge.ts) in
 * counts mode, plus guards so a quiet brand needs several events and a clear ratio.
 */
export function detectSurge(series: BucketSeries, opts: SurgeOptions = DEFAULT_SURGE): Finding | null {
  const n = series.counts.length;
  const model = countModel(series, opts, opts.windows);
  let best: Finding | null = null;
  // Each window on its own, so the guards apply to the window that fires.
  for (const w of opts.windows) {
    const r = surgeAt(series.counts, n, { ...model, windows: [w] });
    if (!r) continue;
    // The dispersion from the earlier days alone when there are any: the trailing hours may hold
    // the incident itself (a campaign's second hour), whose spread would call the rest of it usual.
    const days = surgeAt(series.counts, n, { ...model, windows: [w], trailing: 0 });
    const sd = days ? days.sd * Math.sqrt(r.expected / days.expected) : r.sd;
    // The tail of a negative binomial with that dispersion, not the quasi-Poisson one the surge
    // test ranks windows by: counts come in clumps (reposts, threads), and far above the mean a
    // clump is much likelier than a Poisson scaled to the same variance says. Seven in two
    // minutes where 0.5 were expected is p ≈ 1e-6 to a Poisson, 8e-6 at a dispersion of 1.08.
    const p = negativeBinomialUpperTail(r.observed, r.expected, (sd * sd) / r.expected);
    if (r.observed < opts.minCount || r.observed < opts.minRatio * r.expected || p > opts.maxP) continue;
    const finding: Finding = {
      observed: r.observed,
      expected: Math.round(r.expected * 100) / 100,
      band: [Math.max(0, Math.round((r.expected - 3 * sd) * 100) / 100), Math.round((r.expected + 3 * sd) * 100) / 100],
      score: 1 - p,
      severity: r.observed >= 10 * r.expected && r.observed >= 3 * opts.minCount ? 'critical' : r.observed >= 5 * r.expected ? 'warning' : 'info',
      windowStart: series.start + (n - w) * series.bucketMs,
      windowEnd: series.start + n * series.bucketMs,
    };
    if (!best || finding.score > best.score || (finding.score === best.score && finding.observed > best.observed)) best = finding;
  }
  return best;
}

export interface SilenceOptions {
  /** Lengths of the silent spells tested, in buckets. */
  windows: number[];
  /** Nothing at all where this many were expected is a silence (P(0) = e^−expected). */
  minExpected: number;
  days: number;
  slot: number;
  trailing: number;
}

// e^−14 ≈ 1e-6: as strict as the surge test. Spells from 10 minutes (a busy source is missed
// within minutes) to 4 hours (a quiet one only shows over hours).
export const DEFAULT_SILENCE: SilenceOptions = { windows: [10, 30, 60, 120, 240], minExpected: 14, days: 7, slot: 30, trailing: 120 };

/**
 * A source gone silent: no mention at all over a spell in which its usual traffic (same
 * time of day on earlier days and the trailing hours) makes silence nearly impossible.
 * A broken connector or a revoked token looks like this long before anyone notices.
 *
 * The usual rate is the lower of the trailing hours' and the median earlier day's at this
 * time: an overestimate is what pages people, and neither a busy earlier day (a campaign's
 * crowd) nor a quieter day than usual may make an ordinary lull look like a broken connector.
 */
export function detectSilence(series: BucketSeries, opts: SilenceOptions = DEFAULT_SILENCE): Finding | null {
  const n = series.counts.length;
  const perDay = Math.round(DAY / series.bucketMs);
  const rate = (a: number, b: number) => {
    let c = 0;
    let l = 0;
    for (let i = Math.max(0, a); i < b; i++) ((c += series.counts[i]!), l++);
    return l > 0 ? c / l : null;
  };
  let best: Finding | null = null;
  for (const w of opts.windows) {
    const from = n - w;
    if (from < 1) continue;
    let silent = true;
    for (let i = from; i < n && silent; i++) silent = series.counts[i] === 0;
    if (!silent) continue;
    const trailing = rate(from - opts.trailing, from);
    if (trailing === null) continue;
    const days: number[] = [];
    for (let d = 1; d <= opts.days; d++) {
      const r = rate(from - d * perDay - opts.slot, Math.min(from, n - d * perDay + opts.slot));
      if (r !== null) days.push(r);
    }
    const expected = w * Math.min(trailing, days.length ? median(days) : Infinity);
    if (expected < opts.minExpected || (best && expected <= best.expected)) continue;
    const sd = Math.sqrt(expected);
    best = {
      observed: 0,
      expected: Math.round(expected * 100) / 100,
      band: [Math.max(0, Math.round((expected - 3 * sd) * 100) / 100), Math.round((expected + 3 * sd) * 100) / 100],
      score: 1 - Math.exp(-expected),
      severity: expected >= 3 * opts.minExpected ? 'critical' : 'warning',
      windowStart: series.start + from * series.bucketMs,
      windowEnd: series.start + n * series.bucketMs,
    };
  }
  return best;
}

/**
 * A negative mention spreading far faster, or from an author far larger, than the
 * brand's norm. Velocity is engagement per minute since posting, so a post is caught
 * while it spreads, before the volume follows.
 */
export function detectViral(
  candidates: ViralCandidate[],
  norms: ViralNorms,
  now: number,
  opts = { factor: 20, minEngagement: 200, minFollowers: 20_000, minVelocity: 20, freshMinutes: 30 },
): (ViralCandidate & { velocity: number; reason: string })[] {
  return candidates.flatMap((c) => {
    const minutes = Math.max(1, (now - c.created_at) / 60_000);
    const velocity = c.engagement / minutes;
    const hotEngagement = c.engagement >= Math.max(opts.minEngagement, opts.factor * norms.engagementP95) && velocity >= opts.minVelocity;
    // A large author's reach is news while the post is fresh; later only its engagement says it still spreads.
    const bigAuthor = minutes <= opts.freshMinutes && c.followers >= Math.max(opts.minFollowers, opts.factor * norms.followersP95);
    if (!hotEngagement && !bigAuthor) return [];
    const reason = [
      hotEngagement ? `${Math.round(velocity)} interactions/min` : '',
      bigAuthor ? `author with ${c.followers.toLocaleString('en-US')} followers` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return [{ ...c, velocity, reason }];
  });
}

export interface DropOptions {
  /** Buckets in the tested window. */
  window: number;
  /** Mentions the window needs before its net sentiment means anything. */
  minMentions: number;
  /** Fall in net sentiment ((pos − neg) / n) that matters. */
  minDrop: number;
  /** ... and how many standard errors it must be. */
  minZ: number;
  days: number;
  slot: number;
  trailing: number;
}

export const DEFAULT_DROP: DropOptions = { window: 30, minMentions: 20, minDrop: 0.3, minZ: 4.5, days: 7, slot: 30, trailing: 120 };

/**
 * Net sentiment of the last `window` buckets against the same time of day on earlier
 * days and the trailing hours: fires on a large fall that many mentions confirm.
 */
export function detectSentimentDrop(positive: BucketSeries, negative: BucketSeries, total: BucketSeries, opts: DropOptions = DEFAULT_DROP): Finding | null {
  const n = total.counts.length;
  if (n < opts.window) return null;
  const sum = (s: BucketSeries, from: number, to: number) => {
    let total = 0;
    for (let i = Math.max(0, from); i < Math.min(to, s.counts.length); i++) total += s.counts[i]!;
    return total;
  };
  const w0 = n - opts.window;
  const nw = sum(total, w0, n);
  if (nw < opts.minMentions) return null;
  const perDay = Math.round(DAY / total.bucketMs);
  let pb = 0;
  let qb = 0;
  let nb = 0;
  const add = (from: number, to: number) => {
    pb += sum(positive, from, to);
    qb += sum(negative, from, to);
    nb += sum(total, from, to);
  };
  // Each earlier day's net sentiment at this time, so that one unusual day (a campaign's
  // crowd, ten times the volume) cannot set the norm: the drop must hold against their median.
  const dayNets: number[] = [];
  for (let d = 1; d <= opts.days; d++) {
    const [p0, q0, n0] = [pb, qb, nb];
    add(w0 - d * perDay - opts.slot, n - d * perDay + opts.slot);
    if (nb - n0 >= opts.minMentions) dayNets.push((pb - p0 - (qb - q0)) / (nb - n0));
  }
  add(w0 - opts.trailing, w0);
  if (nb < opts.minMentions) return null;
  const netW = (sum(positive, w0, n) - sum(negative, w0, n)) / nw;
  // The lower of the pooled and the median day's: pooled, a campaign's day of ten times the
  // volume would set the norm for a week, and every ordinary day after it would look like a fall.
  const netB = Math.min((pb - qb) / nb, dayNets.length ? median(dayNets) : Infinity);
  const varB = Math.max(1e-6, (pb + qb) / nb - netB * netB);
  // The window's spread as the baseline's (the null hypothesis): its own collapses when it
  // happens to be nearly all negative, and at a brand whose mentions are mostly complaints
  // that happens by chance (18 of 20), which made ordinary windows look like falls.
  const se = Math.sqrt(varB / nw + varB / nb);
  const z = (netW - netB) / se;
  if (netB - netW < opts.minDrop || -z < opts.minZ) return null;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  const seW = Math.sqrt(varB / nw);
  return {
    observed: r(netW),
    expected: r(netB),
    band: [r(netB - 3 * seW), r(netB + 3 * seW)],
    score: Math.min(1, 1 - Math.exp((-z * z) / 2)),
    severity: netB - netW >= 0.6 ? 'critical' : 'warning',
    windowStart: total.start + w0 * total.bucketMs,
    windowEnd: total.start + n * total.bucketMs,
  };
}

export interface DetectorOptions {
  surge: SurgeOptions;
  share: ShareRiseOptions;
  /** The complaint share chart's CUSUM threshold (the outage signal), apart from the negatives' charts. */
  complaintThreshold: number;
  drop: DropOptions;
  silence: SilenceOptions;
  /**
   * Minutes of history (since the first mention of the series tested) before any count, share,
   * sentiment or silence test may fire: on a history imported a moment ago, the baseline is
   * a few minutes of the first hour, and an ordinary morning rise looks like a surge.
   */
  minHistory: number;
}

/** Two hours: the trailing baseline's own length, so a first test has a full one. */
export const MIN_HISTORY = 120;

/**
 * What each sensitivity means (false alerts each measures: `npm run eval:alerts`). Medium
 * is the default. High pages on smaller or shorter rises (2× expected, p < 1e-5),
 * for a brand where any early sign matters more than a spare alarm. Low waits for the
 * unmistakable (4× expected, p < 1e-8).
 */
export const SENSITIVITY: Record<Sensitivity, DetectorOptions> = {
  low: {
    surge: { ...DEFAULT_SURGE, minRatio: 4, maxP: 1e-8 },
    share: { ...DEFAULT_SHARE_RISE, threshold: 20 },
    complaintThreshold: 20,
    drop: { ...DEFAULT_DROP, minDrop: 0.4, minZ: 5.5 },
    silence: { ...DEFAULT_SILENCE, minExpected: 18 },
    minHistory: MIN_HISTORY,
  },
  medium: {
    surge: DEFAULT_SURGE,
    share: DEFAULT_SHARE_RISE,
    complaintThreshold: DEFAULT_SHARE_RISE.threshold,
    drop: DEFAULT_DROP,
    silence: DEFAULT_SILENCE,
    minHistory: MIN_HISTORY,
  },
  high: {
    // An hour-long window too: a slow-building outage at a small brand shows only over an hour.
    surge: { ...DEFAULT_SURGE, windows: [2, 5, 15, 60], minRatio: 2, maxP: 1e-5 },
    share: { ...DEFAULT_SHARE_RISE, threshold: 10 },
    complaintThreshold: 10,
    drop: { ...DEFAULT_DROP, minDrop: 0.2, minZ: 3.5 },
    silence: { ...DEFAULT_SILENCE, minExpected: 11 },
    minHistory: MIN_HISTORY,
  },
};
