export { AnomalyScorer, scoreSeries, zToScore, DEFAULT_SCORER, type AnomalyScorerOptions } from './anomaly-scorer.js';
export { nabScore, optimiseThreshold, scaledSigmoid, STANDARD_PROFILE, type LabelledSeries, type NabResult, type CostProfile } from './nab-score.js';
export { parseSeriesCsv, loadNab, type Series } from './nab-data.js';
