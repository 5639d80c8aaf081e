import type { BucketSeries } from '@earshot/shared';
import { countCusum } from '../core/count-cusum.js';
import { surgeAt, type SurgeModel } from '../core/surge.js';
import type { Finding } from '../finding.js';
import { negativeBinomialUpperTail } from '../poisson.js';

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
  /**
   * A count CUSUM beside the windows (core/count-cusum.ts): the rises, as multiples of the
   * usual, it is designed for, over the last `horizon` buckets. It pages once a run of
   * surprising minutes adds up to −ln(maxP) nats, whatever the run's length.
   */
  cusum?: { ratios: number[]; horizon: number };
}

// maxP is strict because a detector running every minute over three windows and two series tests
// thousands of windows a day per brand: at 1e-6 that is about one chance alarm per brand per hundred days.
export const DEFAULT_SURGE: SurgeOptions = { windows: [2, 5, 15], minCount: 5, minRatio: 3, maxP: 1e-6, days: 7, slot: 30, trailing: 120 };

/**
 * The count CUSUM of the outage tests (negatives, complaints): rises of 3× and 10×, the smallest
 * incident scored and a storm (chosen on eval:alerts seeds 1+ over 5× and 10×, 10× alone, and
 * 3×, 5× and 10×; checked on seeds 2001+). Not on the brand's whole volume: a campaign builds
 * over an hour, which volume_spike's hour-long window holds, and there the CUSUM only added
 * chance alarms on bursty traffic at high sensitivity (eval:alerts controls, noise 3).
 */
export const OUTAGE_CUSUM = { ratios: [3, 10], horizon: 60 };

/** The options with the outage tests' count CUSUM beside the windows. */
export const withOutageCusum = <T extends { surge: SurgeOptions }>(o: T): T => ({ ...o, surge: { ...o.surge, cusum: OUTAGE_CUSUM } });

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
 * A count surge at the end of the series: the shared surge test (core/surge.ts) in
 * counts mode, plus guards so a quiet brand needs several events and a clear ratio.
 */
export function detectSurge(series: BucketSeries, opts: SurgeOptions = DEFAULT_SURGE): Finding | null {
  const n = series.counts.length;
  const model = countModel(series, opts, opts.windows);
  let best: Finding | null = null;
  // Each window on its own, so the guards apply to the window that fires.
  for (const w of opts.windows) {
    const r = usualOver(series, model, w);
    if (!r) continue;
    const { sd } = r;
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
  return best ?? (opts.cusum ? cusumSurge(series, model, opts, opts.cusum) : null);
}

/**
 * The surge test's baseline over the last `w` buckets (its count, expected count and spread),
 * the spread from the earlier days alone when there are any: the trailing hours may hold the
 * incident itself (a campaign's second hour), whose spread would call the rest of it usual.
 */
function usualOver(series: BucketSeries, model: SurgeModel, w: number) {
  const n = series.counts.length;
  const r = surgeAt(series.counts, n, { ...model, windows: [w] });
  if (!r) return null;
  const days = surgeAt(series.counts, n, { ...model, windows: [w], trailing: 0 });
  return { ...r, sd: days ? days.sd * Math.sqrt(r.expected / days.expected) : r.sd };
}

/**
 * A run of surprising buckets no fixed window holds (an outage at a small brand: one or two
 * complaints a minute where one in seven minutes is usual), by the count CUSUM against the
 * same baseline and dispersion, with the windows' guards on the run it found.
 */
function cusumSurge(series: BucketSeries, model: SurgeModel, opts: SurgeOptions, { ratios, horizon }: { ratios: number[]; horizon: number }): Finding | null {
  const n = series.counts.length;
  const r = usualOver(series, model, horizon);
  if (!r || r.expected <= 0) return null;
  const rate = r.expected / horizon;
  const c = countCusum(series.counts, n - horizon, n, rate, Math.max(1, (r.sd * r.sd) / r.expected), ratios);
  // One chart per ratio: the false-alarm budget is shared among them.
  if (!c || c.llr < -Math.log(opts.maxP) + Math.log(ratios.length)) return null;
  let observed = 0;
  for (let i = c.start; i < n; i++) observed += series.counts[i]!;
  const k = n - c.start;
  const expected = rate * k;
  if (observed < opts.minCount || observed < opts.minRatio * expected) return null;
  const sd = r.sd * Math.sqrt(k / horizon);
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return {
    observed,
    expected: r2(expected),
    band: [Math.max(0, r2(expected - 3 * sd)), r2(expected + 3 * sd)],
    score: 1 - Math.exp(-c.llr),
    severity: observed >= 10 * expected && observed >= 3 * opts.minCount ? 'critical' : observed >= 5 * expected ? 'warning' : 'info',
    windowStart: series.start + c.start * series.bucketMs,
    windowEnd: series.start + n * series.bucketMs,
  };
}
