import type { BucketSeries } from '@earshot/shared';
import type { Finding } from '../finding.js';
import { binomialUpperTail } from '../poisson.js';

/**
 * A rise in one part's share of a whole (complaints among all mentions, negatives among a
 * source's mentions), found by a CUSUM: Page's cumulative sum of the log-likelihood ratio
 * of each bucket's part count, binomial given the whole, between the usual share and a
 * share `odds` times more likely. It answers "has the share risen lately" with the
 * fewest buckets a given false-alarm rate allows (Page 1954; Lorden 1971), and it
 * accumulates a modest rise over many minutes that no single window shows.
 *
 * Conditioning on the whole makes it blind to volume: a campaign's crowd, a busy
 * afternoon or a quiet night change the whole and the part together, so they neither
 * page nor hide a problem, and no time-of-day model is needed for the rate itself.
 */
export interface ShareRiseOptions {
  /**
   * The rises it is tuned to find fastest, as odds ratios over the usual share: one chart
   * each, so a doubling builds up over an hour and a tenfold jump shows within minutes.
   */
  odds: number[];
  /** The CUSUM, in natural-log units of evidence (divided by the dispersion), that fires. */
  threshold: number;
  /** Buckets the CUSUM runs over, ending now; the baseline lies before them. */
  horizon: number;
  /** Earlier days whose same time of day (± slot) joins the baseline share. */
  days: number;
  slot: number;
  /** Buckets just before the horizon in the baseline. */
  trailing: number;
  /** The part must count at least this many over the rise... */
  minCount: number;
  /**
   * ... and its share risen this many times (see shareRise: for a rare part, its count over
   * what the usual share predicts; for a majority, how much the rest has shrunk).
   */
  minRatio: number;
  /** The baseline needs this many of the whole before a share means anything. */
  minBaseline: number;
  /**
   * A run past the threshold ends when the part over its last this-many buckets is back
   * under a rise of minRatio: the CUSUM would hold an outage's
   * evidence for hours after it ended, its alert open and ready to page again.
   */
  recent: number;
  /**
   * ... reaching further back until it holds this many of the whole: at night 15 minutes hold a
   * handful of mentions, and two negatives of eight would end a slide that is still going on.
   */
  recentMentions: number;
}

export const DEFAULT_SHARE_RISE: ShareRiseOptions = {
  odds: [2, 5],
  threshold: 14,
  horizon: 240,
  days: 7,
  slot: 60,
  trailing: 180,
  minCount: 5,
  minRatio: 1.5,
  // A small brand's first days (the demo's globex: 107 mentions in the baseline at
  // breakfast) would have no share chart at 200; eval:alerts gave the same figures at 60.
  minBaseline: 60,
  recent: 15,
  recentMentions: 20,
};

const DAY = 86_400_000;

/**
 * Usual share and its dispersion (variance over the binomial's). The share is the median of
 * each baseline range's own (the trailing hours, the same time on each earlier day), so one
 * unusual range (a campaign's crowd that just ended, a past incident) cannot set it.
 */
function baseline(
  part: ArrayLike<number>,
  whole: ArrayLike<number>,
  ranges: [number, number][],
  minBaseline: number,
): { p: number; dispersion: number } | null {
  let x = 0;
  let n = 0;
  let xx = 0;
  let xn = 0;
  let nn = 0;
  const shares: number[] = [];
  for (const [from, to] of ranges) {
    let rx = 0;
    let rn = 0;
    for (let i = Math.max(0, from); i < to; i++) {
      const a = part[i]!;
      const m = whole[i]!;
      rx += a;
      rn += m;
      xx += a * a;
      xn += a * m;
      nn += m * m;
    }
    x += rx;
    n += rn;
    if (rn > 0) shares.push(rx / rn);
  }
  if (n < minBaseline) return null;
  shares.sort((a, b) => a - b);
  const mid = shares.length / 2;
  const median = shares.length % 2 ? shares[Math.floor(mid)]! : (shares[mid - 1]! + shares[mid]!) / 2;
  // The larger of the median and the pooled share: the pooled one is steadier, the median
  // resists one unusual range, and an underestimate is what pages people for nothing. Half
  // an event of prior: a part never seen in the baseline is rare, not impossible.
  const p = Math.max(median, (x + 0.5) / (n + 1));
  // Σ (part − p·whole)² against Σ whole·p(1 − p): reposts and threads make parts arrive in
  // clumps, and the evidence is weighed down by as much.
  const dev = xx - 2 * p * xn + p * p * nn;
  const bin = n * p * (1 - p);
  return { p, dispersion: bin > 0 ? Math.min(10, Math.max(1, dev / bin)) : 1 };
}

/**
 * How far `part` of `whole` has risen from the usual share p0: the part's share grown by this
 * factor, or the rest's shrunk by it, whichever is more. A rare part is judged on its own
 * growth (8% → 16% is 2), one already the majority on the rest's shrinking, which is where
 * its rise shows (negatives from 65% to 90% leave 10% of the mentions where 35% were: 3.5).
 */
export const shareRise = (part: number, whole: number, p0: number) =>
  whole > 0 ? Math.max(part / (p0 * whole), ((1 - p0) * whole) / Math.max(whole - part, 0.5)) : 0;

/** The baseline ranges before bucket `from`: the trailing buckets and the same time on earlier days. */
function baselineRanges(from: number, n: number, perDay: number, opts: ShareRiseOptions): [number, number][] {
  const ranges: [number, number][] = [[from - opts.trailing, from]];
  for (let d = 1; d <= opts.days; d++) ranges.push([from - d * perDay - opts.slot, Math.min(from, n - d * perDay + opts.slot)]);
  return ranges.filter(([a, b]) => b > Math.max(0, a));
}

/**
 * True when the whole's own count explains a surge in the part over the same window: given
 * how many mentions the window holds, that many of the part is not unlikely (p ≥ `maxP`) at
 * the usual share. A campaign's crowd or a burst of reposts lifts negatives with everything
 * else and is not news; an outage lifts their share. Conditioning on the window's whole is
 * what makes this hold however bursty the traffic: a ratio of ratios does not, since a
 * handful of negatives in two quiet minutes is a big ratio by luck alone.
 */
export function explainedByShare(surge: Finding, part: BucketSeries, whole: BucketSeries, opts: ShareRiseOptions = DEFAULT_SHARE_RISE, maxP = 1e-4): boolean {
  const n = Math.min(part.counts.length, whole.counts.length);
  const from = n - Math.max(1, Math.round((surge.windowEnd - surge.windowStart) / whole.bucketMs));
  if (from < 1) return false;
  const base = baseline(part.counts, whole.counts, baselineRanges(from, n, Math.round(DAY / whole.bucketMs), opts), opts.minBaseline);
  if (!base) return false;
  let x = 0;
  let of = 0;
  for (let i = from; i < n; i++) ((x += part.counts[i]!), (of += whole.counts[i]!));
  return binomialUpperTail(Math.round(x / base.dispersion), Math.round(of / base.dispersion), base.p) >= maxP;
}

export function detectShareRise(part: BucketSeries, whole: BucketSeries, opts: ShareRiseOptions = DEFAULT_SHARE_RISE): Finding | null {
  const n = Math.min(part.counts.length, whole.counts.length);
  const from = n - opts.horizon;
  if (from < 1) return null;
  const base = baseline(part.counts, whole.counts, baselineRanges(from, n, Math.round(DAY / whole.bucketMs), opts), opts.minBaseline);
  if (!base) return null;
  const p0 = base.p;
  // The charts are designed on odds, not on the share: a share already past half cannot double,
  // but its odds can (a complaint-heavy brand's negatives from 65% to 90% of the mentions).
  // One chart per designed rise; the strongest evidence wins, and its run is the window.
  let s = 0;
  let runStart = from;
  for (const odds of opts.odds) {
    const p1 = (odds * p0) / (1 + p0 * (odds - 1));
    const up = Math.log(p1 / p0) / base.dispersion;
    const down = Math.log((1 - p1) / (1 - p0)) / base.dispersion;
    let c = 0;
    let start = from;
    // The recent stretch's part and whole, buckets j..i, to tell when a rise has ended.
    let rp = 0;
    let rw = 0;
    let j = from;
    for (let i = from; i < n; i++) {
      const x = part.counts[i]!;
      c += x * up + (whole.counts[i]! - x) * down;
      rp += x;
      rw += whole.counts[i]!;
      while (i - j + 1 > opts.recent && rw - whole.counts[j]! >= opts.recentMentions) ((rp -= part.counts[j]!), (rw -= whole.counts[j]!), j++);
      // Past the threshold, a stretch back at the usual share ends the incident: start afresh,
      // or the evidence of an outage hours ago would keep its alert open (and page again) all day.
      const ended = c >= opts.threshold && i - start >= opts.recent && rw >= opts.recentMentions && shareRise(rp, rw, p0) < opts.minRatio;
      if (c <= 0 || ended) ((c = 0), (start = i + 1));
    }
    if (c > s) ((s = c), (runStart = start));
  }
  if (s < opts.threshold) return null;
  let observed = 0;
  let of = 0;
  for (let i = runStart; i < n; i++) ((observed += part.counts[i]!), (of += whole.counts[i]!));
  const expected = p0 * of;
  const ratio = shareRise(observed, of, p0);
  if (observed < opts.minCount || ratio < opts.minRatio) return null;
  const sd = Math.sqrt(of * p0 * (1 - p0) * base.dispersion);
  const r2 = (v: number) => Math.round(v * 100) / 100;
  return {
    observed,
    expected: r2(expected),
    band: [Math.max(0, r2(expected - 3 * sd)), r2(expected + 3 * sd)],
    score: 1 - Math.exp(-s),
    ratio: r2(ratio),
    severity: ratio >= 5 && observed >= 3 * opts.minCount ? 'critical' : ratio >= 2.5 ? 'warning' : 'info',
    windowStart: whole.start + runStart * whole.bucketMs,
    windowEnd: whole.start + n * whole.bucketMs,
  };
}
