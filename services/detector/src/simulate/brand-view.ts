import type { BucketSeries } from '@earshot/shared';
import type { BrandSeries } from '../detectors/contract.js';
import type { BrandWeek } from './brand-week.js';

const MIN = 60_000;
/** The brand's usual engagement and reach, as the service reads them from its stored posts. */
const NORMS = { engagementP95: 30, followersP95: 5000 };

const sumOf = (arrays: Float64Array[]) => arrays.reduce((acc, a) => (a.forEach((v, i) => (acc[i] = acc[i]! + v)), acc), new Float64Array(arrays[0]!.length));

/**
 * A simulated brand-week as the detector service would read it at the end of minute `m`:
 * the last `seriesMinutes` of every series (views, no copies), and the viral post with
 * the engagement it has gathered by then.
 */
export function brandViews(w: BrandWeek, seriesMinutes: number): (m: number) => BrandSeries {
  const all = { total: sumOf(w.total), positive: sumOf(w.positive), negative: sumOf(w.negative) };
  return (m) => {
    const end = m + 1;
    const from = Math.max(0, end - seriesMinutes);
    const view = (a: Float64Array): BucketSeries => ({ start: from * MIN, bucketMs: MIN, counts: a.subarray(from, end) });
    const candidates =
      w.viral && m >= w.viral.at
        ? [
            {
              source: 'twitter',
              id: 'v',
              url: '',
              created_at: w.viral.at * MIN,
              followers: w.viral.followers,
              engagement: w.viral.velocity * (m - w.viral.at + 1),
            },
          ]
        : [];
    return {
      now: end * MIN,
      total: view(all.total),
      positive: view(all.positive),
      negative: view(all.negative),
      complaints: view(w.complaints),
      bySource: new Map(w.sources.map((s, i) => [s, { total: view(w.total[i]!), positive: view(w.positive[i]!), negative: view(w.negative[i]!) }])),
      viral: { candidates, norms: NORMS },
    };
  };
}
