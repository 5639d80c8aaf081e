import type { Sensitivity } from '@earshot/shared';
import { withOutageCusum } from '../checks/count-surge.js';
import { seasoned } from '../checks/history.js';
import { DEFAULT_SHARE_RISE, detectShareRise } from '../checks/share-chart.js';
import { roughCount } from '../count-text.js';
import { windowMinutes } from '../finding.js';
import type { Detector } from './contract.js';
import { partSurge } from './part-surge.js';

/**
 * Its own threshold per sensitivity: the complaint share chart's CUSUM (natural-log units of
 * evidence), the outage signal, set apart from the negatives' charts. Medium is the share
 * chart's default (14); high pages at 10, low at 20. The count surge's levels it shares with
 * negative_volume_surge and volume_spike (sensitivity.ts).
 */
export const COMPLAINT_SHARE_THRESHOLD: Record<Sensitivity, number> = {
  low: 20,
  medium: DEFAULT_SHARE_RISE.threshold,
  high: 10,
};

/** More complaints than usual: a rise in their share of the brand's mentions, or in their number (see partSurge). */
export const complaintSurge: Detector = {
  kind: 'complaint_surge',
  catches: ['outage'],
  detect(s, o) {
    // Judged against the window's whole volume like negatives: in an outage the complaints
    // are the crowd and their share leaps, while a burst of reposts brings them at their usual share.
    const share = { ...o.share, threshold: o.complaintThreshold };
    if (!seasoned(s.total, o.minHistory)) return [];
    const f = detectShareRise(s.complaints, s.total, share) ?? partSurge(s.complaints, s.total, withOutageCusum(o), share);
    return f
      ? [
          {
            kind: 'complaint_surge',
            scope: 'complaint',
            intent: 'complaint',
            finding: f,
            summary: `${f.observed} complaints in ${windowMinutes(f)} min, about ${roughCount(f.expected)} expected`,
            explainBy: { intent: 'complaint' },
          },
        ]
      : [];
  },
};
