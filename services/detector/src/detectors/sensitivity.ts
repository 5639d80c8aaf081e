import type { Sensitivity } from '@earshot/shared';
import { DEFAULT_SURGE, type SurgeOptions } from '../checks/count-surge.js';
import { DEFAULT_SHARE_RISE, type ShareRiseOptions } from '../checks/share-chart.js';
import { COMPLAINT_SHARE_THRESHOLD } from './complaint-surge.js';
import type { DetectorOptions } from './contract.js';
import { DROP_LEVELS } from './net-sentiment-drop.js';
import { SILENCE_LEVELS } from './source-silent.js';

/** Two hours: the trailing baseline's own length, so a first test has a full one. */
export const MIN_HISTORY = 120;

/**
 * The count surge's levels, shared by negative_volume_surge, complaint_surge and volume_spike.
 * Medium: 3× expected, p < 1e-6. High pages on smaller or shorter rises (2× expected,
 * p < 1e-5), with an hour-long window too: a slow-building outage at a small brand shows only
 * over an hour. Low waits for the unmistakable (4× expected, p < 1e-8).
 */
export const COUNT_SURGE_LEVELS: Record<Sensitivity, SurgeOptions> = {
  low: { ...DEFAULT_SURGE, minRatio: 4, maxP: 1e-8 },
  medium: DEFAULT_SURGE,
  high: { ...DEFAULT_SURGE, windows: [2, 5, 15, 60], minRatio: 2, maxP: 1e-5 },
};

/**
 * The share chart's levels (its CUSUM threshold), shared by negative_volume_surge and, for its
 * count, complaint_surge (whose own chart threshold is COMPLAINT_SHARE_THRESHOLD).
 */
export const SHARE_CHART_LEVELS: Record<Sensitivity, ShareRiseOptions> = {
  low: { ...DEFAULT_SHARE_RISE, threshold: 20 },
  medium: DEFAULT_SHARE_RISE,
  high: { ...DEFAULT_SHARE_RISE, threshold: 10 },
};

const level = (s: Sensitivity): DetectorOptions => ({
  surge: COUNT_SURGE_LEVELS[s],
  share: SHARE_CHART_LEVELS[s],
  complaintThreshold: COMPLAINT_SHARE_THRESHOLD[s],
  drop: DROP_LEVELS[s],
  silence: SILENCE_LEVELS[s],
  minHistory: MIN_HISTORY,
});

/**
 * What each sensitivity means, assembled from each detector's own thresholds (false alerts
 * each gives: `npm run eval:alerts`). Medium is the default; high is for a brand where any
 * early sign matters more than a spare alarm; low waits for the unmistakable.
 */
export const SENSITIVITY: Record<Sensitivity, DetectorOptions> = { low: level('low'), medium: level('medium'), high: level('high') };
