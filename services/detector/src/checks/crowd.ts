import type { BucketSeries } from '@earshot/shared';
import type { Finding } from '../finding.js';
import { usualCount, type SurgeOptions } from './count-surge.js';

/** Mentions, negatives and positives over a finding's window, and what the seasonal baseline expected of each. */
export interface SentimentMix {
  mentions: number;
  negative: number;
  positive: number;
  usual: { mentions: number; negative: number; positive: number };
}

const sumLast = (s: BucketSeries, k: number) => {
  let x = 0;
  for (let i = Math.max(0, s.counts.length - k); i < s.counts.length; i++) x += s.counts[i]!;
  return x;
};

/**
 * The sentiment of a finding's window against the usual: the window's mentions as the count
 * test expected them (seasonal), split at the shares of negatives and positives over the
 * whole history before the window (a week of mentions: steady where one hour's is not).
 */
export function sentimentMix(s: { total: BucketSeries; negative: BucketSeries; positive: BucketSeries }, f: Finding, o: SurgeOptions): SentimentMix {
  const k = Math.max(1, Math.round((f.windowEnd - f.windowStart) / s.total.bucketMs));
  const before = (x: BucketSeries) => sumLast(x, x.counts.length) - sumLast(x, k);
  const all = Math.max(1, before(s.total));
  const mentions = usualCount(s.total, k, o);
  return {
    mentions: sumLast(s.total, k),
    negative: sumLast(s.negative, k),
    positive: sumLast(s.positive, k),
    usual: { mentions, negative: (mentions * before(s.negative)) / all, positive: (mentions * before(s.positive)) / all },
  };
}

/**
 * True when the mentions above the usual are more negative than positive: an outage's or a
 * backlash's crowd, not a campaign's. What makes a volume spike a negative page.
 */
export const leansNegative = (m: SentimentMix) => m.negative - m.usual.negative > Math.max(0, m.positive - m.usual.positive);

/**
 * True when a part's surge (negatives, complaints) is most of the window's mentions above
 * the usual: the crowd is made of it. A crowd explains a rise in a part only when it is not
 * (a campaign's crowd brings some negatives; an outage's is complaints), so a complaint-heavy
 * brand, whose complaints were already the majority and cannot double their share, still
 * pages on a fivefold burst of them.
 */
export function crowdIsThePart(surge: Finding, whole: BucketSeries, o: SurgeOptions): boolean {
  const k = Math.max(1, Math.round((surge.windowEnd - surge.windowStart) / whole.bucketMs));
  return surge.observed >= CROWD_RATIO * surge.expected && surge.observed - surge.expected > (sumLast(whole, k) - usualCount(whole, k, o)) / 2;
}

/**
 * A crowd made of the part pages from five times the usual count (the storm the issue asks
 * to page on): bursts of ordinary traffic reach three or four times the usual for a minute
 * or two, and at a complaint-heavy brand every burst is mostly complaints.
 */
export const CROWD_RATIO = 5;

const pct = (x: number, of: number) => `${of > 0 ? Math.round((100 * x) / of) : 0}%`;

/** "41% negative, 22% positive (usually 20% and 40%)". */
export const describeMix = (m: SentimentMix) =>
  `${pct(m.negative, m.mentions)} negative, ${pct(m.positive, m.mentions)} positive (usually ${pct(m.usual.negative, m.usual.mentions)} and ${pct(m.usual.positive, m.usual.mentions)})`;
