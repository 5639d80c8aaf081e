import type { BucketSeries } from '@earshot/shared';
import { withOutageCusum } from '../checks/count-surge.js';
import { seasoned } from '../checks/history.js';
import { detectShareRise } from '../checks/share-chart.js';
import { roughCount } from '../count-text.js';
import { windowMinutes } from '../finding.js';
import type { Detection, Detector, DetectorOptions } from './contract.js';
import { partSurge } from './part-surge.js';

/**
 * More negative mentions than usual, for the brand and per source (an app-store review
 * storm can hide inside the brand's volume): a rise in their share of the mentions, or a
 * surge in their number (see partSurge).
 *
 * Thresholds: the share chart's and the count surge's levels (sensitivity.ts, shared with
 * complaint_surge and volume_spike); each source is held to them divided among the sources.
 */
export const negativeSurge: Detector = {
  kind: 'negative_volume_surge',
  catches: ['outage', 'slide'],
  detect(s, o) {
    const find = (x: { total: BucketSeries; negative: BucketSeries }, at: DetectorOptions) =>
      seasoned(x.total, at.minHistory) ? (detectShareRise(x.negative, x.total, at.share) ?? partSurge(x.negative, x.total, withOutageCusum(at))) : null;
    // The sources are as many more tests each minute: each one is held to the brand's false-alarm
    // rate divided among them (Bonferroni: p over the number of sources, the CUSUM's threshold up
    // by its log), so a brand with three sources does not page three times as often by chance.
    const sources = Math.max(1, s.bySource.size);
    const perSource = {
      ...o,
      surge: { ...o.surge, maxP: o.surge.maxP / sources },
      share: { ...o.share, threshold: o.share.threshold + Math.log(sources) },
    };
    const out: Detection[] = [];
    const brand = find(s, o);
    for (const [source, x] of s.bySource) {
      if (brand && s.bySource.size === 1) continue;
      const f = find(x, perSource);
      if (f)
        out.push({
          kind: 'negative_volume_surge',
          scope: `source:${source}`,
          source,
          finding: f,
          summary: `${f.observed} negative mentions on ${source} in ${windowMinutes(f)} min, about ${roughCount(f.expected)} expected`,
          explainBy: { sentiment: 'negative', source },
        });
    }
    if (brand)
      out.push({
        kind: 'negative_volume_surge',
        scope: '',
        finding: brand,
        summary: `${brand.observed} negative mentions in ${windowMinutes(brand)} min, about ${roughCount(brand.expected)} expected`,
        explainBy: { sentiment: 'negative' },
      });
    return out;
  },
};
