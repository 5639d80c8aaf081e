import { seasoned } from '../checks/history.js';
import { detectSurge } from '../checks/count-surge.js';
import { describeMix, leansNegative, sentimentMix } from '../checks/crowd.js';
import { roughCount } from '../count-text.js';
import { windowMinutes } from '../finding.js';
import type { Detector } from './contract.js';

/**
 * The brand's mention volume far above its seasonal baseline, whatever the sentiment: a
 * post going viral, a backlash starting, a campaign taking off. It tells the sentiment mix,
 * and pages as a problem only when the crowd is negative; a campaign's is news (info).
 * Windows of 5 minutes to an hour: a campaign or a backlash builds over an hour, while
 * ordinary traffic has bursts of a minute or two that reposts make.
 *
 * Thresholds: the count surge's levels (sensitivity.ts, shared with negative_volume_surge
 * and complaint_surge), over its own windows.
 */
export const volumeSpike: Detector = {
  kind: 'volume_spike',
  catches: ['backlash', 'campaign'],
  detect(s, o) {
    if (!seasoned(s.total, o.minHistory)) return [];
    const f = detectSurge(s.total, { ...o.surge, windows: [...new Set([...o.surge.windows.filter((w) => w >= 5), 60])] });
    if (!f) return [];
    const mix = sentimentMix(s, f, o.surge);
    const negative = leansNegative(mix);
    return [
      {
        kind: 'volume_spike',
        scope: '',
        finding: negative ? f : { ...f, severity: 'info' },
        summary: `${f.observed} mentions in ${windowMinutes(f)} min, about ${roughCount(f.expected)} expected, ${negative ? 'mostly negative' : 'not mostly negative'}: ${describeMix(mix)}`,
        explainBy: {},
      },
    ];
  },
};
