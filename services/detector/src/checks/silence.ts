import type { BucketSeries } from '@earshot/shared';
import { median } from '../core/surge.js';
import type { Finding } from '../finding.js';

const DAY = 86_400_000;

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
