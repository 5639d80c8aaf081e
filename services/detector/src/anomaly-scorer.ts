import { surgeAt, surpriseToScore, type SurgeModel } from './surge-score.js';

/**
 * `earshot detect`'s per-row anomaly score: the streaming detectors' surge test
 * (surge-score.ts), in Gaussian mode since a series of any measurement may come in,
 * applied to the values and, for a series with a daily rhythm, to their day-over-day
 * difference (a pattern that breaks while the level looks normal). Scores stay causal;
 * a point scores in full only when it is more surprising than any of the `novelty`
 * points before it (a day's worth by default), so an incident is reported at its onset
 * rather than at every point.
 */
export interface SeriesScoreOptions {
  windows: number[];
  trailing: number;
  days: number;
  slot: number;
  /** Points scored 0 at the start, while the baseline fills. */
  warmup: number;
  /** Points back that a new score must beat to count in full; 0 = one day of points (100 without a daily rhythm). */
  novelty: number;
}

export const DEFAULT_SERIES: SeriesScoreOptions = { windows: [3], trailing: 1200, days: 7, slot: 6, warmup: 60, novelty: 0 };

/** Points per day from the median spacing of the timestamps; 0 when under three days of data. */
export function pointsPerDay(timestamps: string[]): number {
  const ms = timestamps.map((t) => Date.parse(t.includes('T') || t.endsWith('Z') ? t : `${t.replace(' ', 'T')}Z`));
  if (ms.length < 3 || ms.some(Number.isNaN)) return 0;
  const gaps = ms.slice(1).map((t, i) => t - ms[i]!).filter((g) => g > 0).sort((a, b) => a - b);
  const step = gaps[Math.floor(gaps.length / 2)];
  if (!step || ms[ms.length - 1]! - ms[0]! < 3 * 86_400_000) return 0;
  const p = Math.round(86_400_000 / step);
  return p >= 2 ? p : 0;
}

export function scoreSeries(values: number[], timestamps?: string[], opts: SeriesScoreOptions = DEFAULT_SERIES): number[] {
  const clean = values.map((v) => (Number.isFinite(v) ? v : 0));
  const perDay = timestamps ? pointsPerDay(timestamps) : 0;
  const level: SurgeModel = { mode: 'gaussian', windows: opts.windows, perDay, days: opts.days, slot: opts.slot, trailing: opts.trailing, twoSided: true };
  const change: SurgeModel = { ...level, perDay: 0 };
  const diff = perDay ? clean.slice(perDay).map((v, i) => v - clean[i]!) : [];
  const raw = clean.map((_, i) => {
    if (i < opts.warmup) return 0;
    const a = surgeAt(clean, i + 1, level)?.surprise ?? 0;
    const b = perDay && i >= perDay + opts.warmup ? (surgeAt(diff, i + 1 - perDay, change)?.surprise ?? 0) : 0;
    return surpriseToScore(Math.max(a, b));
  });
  const novelty = opts.novelty || perDay || 100;
  return raw.map((r, i) => {
    let recent = 0;
    for (let j = Math.max(0, i - novelty); j < i; j++) recent = Math.max(recent, raw[j]!);
    return r > recent ? r : r / 2;
  });
}
