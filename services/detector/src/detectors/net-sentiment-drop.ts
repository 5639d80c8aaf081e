import type { Sensitivity } from '@earshot/shared';
import { seasoned } from '../checks/history.js';
import { DEFAULT_DROP, detectSentimentDrop, type DropOptions } from '../checks/sentiment-drop.js';
import { windowMinutes } from '../finding.js';
import type { Detector } from './contract.js';

/**
 * Its thresholds per sensitivity: the fall in net sentiment that matters, and how many
 * standard errors it must be. Medium: 0.3 and 4.5; high: 0.2 and 3.5; low: 0.4 and 5.5.
 */
export const DROP_LEVELS: Record<Sensitivity, DropOptions> = {
  low: { ...DEFAULT_DROP, minDrop: 0.4, minZ: 5.5 },
  medium: DEFAULT_DROP,
  high: { ...DEFAULT_DROP, minDrop: 0.2, minZ: 3.5 },
};

/** Net sentiment well below its usual at this time of day, confirmed by many mentions. */
export const sentimentDrop: Detector = {
  kind: 'net_sentiment_drop',
  catches: ['outage', 'slide'],
  detect(s, o) {
    const f = seasoned(s.total, o.minHistory) ? detectSentimentDrop(s.positive, s.negative, s.total, o.drop) : null;
    return f
      ? [
          {
            kind: 'net_sentiment_drop',
            scope: '',
            finding: f,
            summary: `net sentiment ${f.observed.toFixed(2)} over the last ${windowMinutes(f)} min, usually ${f.expected.toFixed(2)}`,
            explainBy: { sentiment: 'negative' },
          },
        ]
      : [];
  },
};
