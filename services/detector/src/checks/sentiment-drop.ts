import type { BucketSeries } from '@earshot/shared';
import { median } from '../core/surge.js';
import type { Finding } from '../finding.js';

const DAY = 86_400_000;

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
