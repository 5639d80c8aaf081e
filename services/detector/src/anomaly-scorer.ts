/**
 * A causal anomaly score for one series, one value at a time: a point's score uses
 * only the points before it (and itself), so the same code serves the streaming
 * detectors and `earshot detect`.
 *
 * The idea (after Numenta's anomaly likelihood): compare the mean of the last few
 * values with the distribution of a longer history of such means, in standard deviations. Averaging a short window makes one noisy point count for less
 * than a sustained shift; the long history adapts to level changes. A count series
 * (mentions per interval) never has a spread below the Poisson noise of its mean,
 * so a brand with 3 mentions an hour does not alert on 6.
 */
export interface AnomalyScorerOptions {
  /** Points in the long history. */
  history: number;
  /** Points averaged for the current level. */
  short: number;
  /** Points before any score above 0 (the history must mean something first). */
  warmup: number;
  /** Treat values as counts (Poisson floor on the spread). */
  counts: boolean;
}

export const DEFAULT_SCORER: AnomalyScorerOptions = { history: 1200, short: 3, warmup: 60, counts: false };

/**
 * Deviation (in standard deviations) → [0, 1), monotone: 3σ ≈ 0.26, 5σ = 0.5, 10σ = 0.8.
 * A tail probability would saturate at 1 for every large deviation; this keeps big
 * and huge apart, so one threshold can be chosen across series.
 */
export const zToScore = (z: number) => (z * z) / (z * z + 25);

export class AnomalyScorer {
  private readonly values: number[] = [];
  private readonly shorts: number[] = [];
  private sum = 0;
  private sumSq = 0;

  constructor(private readonly opts: AnomalyScorerOptions = DEFAULT_SCORER) {}

  /** Adds a value and returns its anomaly score in [0, 1]. */
  push(value: number): number {
    const v = Number.isFinite(value) ? value : 0;
    this.values.push(v);
    const k = Math.min(this.opts.short, this.values.length);
    let shortSum = 0;
    for (let i = this.values.length - k; i < this.values.length; i++) shortSum += this.values[i]!;
    const shortMean = shortSum / k;
    // The history is of short means, so the spread compared against is the spread of a short mean.
    const hist = this.shorts;
    let score = 0;
    if (hist.length >= this.opts.warmup) {
      const n = hist.length;
      const mean = this.sum / n;
      let variance = Math.max(0, this.sumSq / n - mean * mean);
      if (this.opts.counts) variance = Math.max(variance, Math.max(mean, 1) / this.opts.short);
      const sd = Math.sqrt(variance) || 1e-9;
      score = zToScore((shortMean - mean) / sd);
    }
    hist.push(shortMean);
    this.sum += shortMean;
    this.sumSq += shortMean * shortMean;
    if (hist.length > this.opts.history) {
      const old = hist.shift()!;
      this.sum -= old;
      this.sumSq -= old * old;
    }
    if (this.values.length > this.opts.short) this.values.shift();
    return score;
  }
}

/**
 * Two views of the same stream, the larger score wins: the level itself (spikes,
 * drops, shifts) and, when the series has a daily rhythm, the difference from the same
 * time a day earlier (a pattern that breaks while the level looks normal).
 */
export class SeasonalAnomalyScorer {
  private readonly level: AnomalyScorer;
  private readonly seasonal: AnomalyScorer | null;
  private readonly past: number[] = [];

  /** `period`: points per day (0 = no seasonal view). */
  constructor(
    private readonly period: number,
    opts: AnomalyScorerOptions = DEFAULT_SCORER,
  ) {
    this.level = new AnomalyScorer(opts);
    this.seasonal = period > 1 ? new AnomalyScorer({ ...opts, counts: false, warmup: Math.max(opts.warmup, 1) }) : null;
  }

  push(value: number): number {
    const levelScore = this.level.push(value);
    if (!this.seasonal) return levelScore;
    this.past.push(value);
    if (this.past.length <= this.period) return levelScore;
    const yesterday = this.past.shift()!;
    return Math.max(levelScore, this.seasonal.push(value - yesterday));
  }
}

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

/** Scores a whole series causally (each score from the values up to that point). */
export function scoreSeries(values: number[], opts: AnomalyScorerOptions = DEFAULT_SCORER, timestamps?: string[]): number[] {
  const scorer = new SeasonalAnomalyScorer(timestamps ? pointsPerDay(timestamps) : 0, opts);
  return values.map((v) => scorer.push(v));
}
