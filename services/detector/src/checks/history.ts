import type { BucketSeries } from '@earshot/shared';

const MIN = 60_000;

/**
 * Buckets since the series' first non-zero one (its first mention), up to its end; 0 when it
 * has none. Zeros before it are no history: the store had nothing yet.
 */
export function historyLength(series: BucketSeries): number {
  const n = series.counts.length;
  for (let i = 0; i < n; i++) if (series.counts[i]! > 0) return n - i;
  return 0;
}

/** True once a series (a brand's or a source's mentions) has `minHistory` minutes of history to test against. */
export const seasoned = (total: BucketSeries, minHistory: number) => historyLength(total) * total.bucketMs >= minHistory * MIN;
