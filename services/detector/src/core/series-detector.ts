import { AnomalyLikelihood, logLikelihood } from './anomaly-likelihood.js';
import { ContextNovelty } from './context-novelty.js';
import { DecayingRecord } from './decaying-record.js';
import { RollingWindow } from './rolling.js';
import { SeasonalResidual } from './seasonal-residual.js';

export interface SeriesDetectorOptions {
  /** Points per day, for the daily-pattern part (0: none). */
  perDay: number;
  /** Quantisation bands and context orders of the sequence novelty. */
  levels: number;
  order: number;
  /** Raw novelty scores averaged by the likelihood. */
  averaging: number;
  /** Points before the likelihood judges anything. */
  learning: number;
  /** Trailing points that define the usual level and spread. */
  trailing: number;
  /** Half-life of a record surprise, in points. */
  recordHalfLife: number;
  /** A z-score below this is never a record. */
  minZ: number;
  days: number;
}

export const DEFAULT_DETECTOR: SeriesDetectorOptions = {
  perDay: 0,
  levels: 24,
  order: 2,
  averaging: 5,
  learning: 300,
  trailing: 500,
  recordHalfLife: 10_000,
  minZ: 3,
  days: 7,
};

/** Below this log-likelihood a sequence is ordinary; only the first point of a run above it counts. */
const RED = 0.5;

class ZScore {
  private readonly window: RollingWindow;
  constructor(size: number) {
    this.window = new RollingWindow(size);
  }
  /** |v − mean| / sd of the trailing window (before v is added), or 0 while it fills. */
  update(v: number, warmup: number): number {
    let z = 0;
    if (this.window.length >= warmup) {
      const mean = this.window.mean();
      const sd = Math.max(Math.sqrt(this.window.variance()), 1e-6 * Math.max(1, Math.abs(mean)));
      z = Math.abs(v - mean) / sd;
    }
    this.window.push(v);
    return z;
  }
}

/**
 * Earshot's streaming anomaly score for one series, causal, O(days + order) time and
 * bounded memory per point. Three views of the series, the most alarming wins:
 * - sequence novelty (ContextNovelty) judged against the series' own history of novelty
 *   (AnomalyLikelihood), reported only at the first point of a run, so a noisy series
 *   stops alarming and a calm one alarms on the first new pattern;
 * - the level: a z-score against the trailing window, as a ratio to the largest lately;
 * - the daily pattern: the same for the residual against earlier days at this time.
 * Scores are in [0, 1); records map r → r / (1 + r), so 0.5 means "as surprising as the
 * largest lately" and 0.6 "one and a half times it".
 */
export class SeriesDetector {
  private readonly o: SeriesDetectorOptions;
  private readonly novelty: ContextNovelty;
  private readonly likelihood: AnomalyLikelihood;
  private readonly level: ZScore;
  private readonly levelRecord: DecayingRecord;
  private readonly seasonal: SeasonalResidual | null;
  private readonly residual: ZScore;
  private readonly residualRecord: DecayingRecord;
  private wasRed = false;
  private seen = 0;

  constructor(options: Partial<SeriesDetectorOptions> = {}) {
    this.o = { ...DEFAULT_DETECTOR, ...options };
    this.novelty = new ContextNovelty(this.o.levels, this.o.order);
    this.likelihood = new AnomalyLikelihood({ averaging: this.o.averaging, history: 8640, learning: this.o.learning, minStdev: 0.01 });
    this.level = new ZScore(this.o.trailing);
    this.levelRecord = new DecayingRecord(this.o.recordHalfLife, this.o.minZ);
    this.seasonal = this.o.perDay > 0 ? new SeasonalResidual(this.o.perDay, this.o.days) : null;
    this.residual = new ZScore(this.o.trailing);
    this.residualRecord = new DecayingRecord(this.o.recordHalfLife, this.o.minZ);
  }

  /** The anomaly score of the next value (non-finite values count as 0). */
  update(raw: number): number {
    const v = Number.isFinite(raw) ? raw : 0;
    const warm = this.seen++ >= 100;
    let novelty = logLikelihood(this.likelihood.update(this.novelty.update(v)));
    const red = novelty >= RED;
    if (red && this.wasRed) novelty = Math.min(novelty, RED - 0.1);
    this.wasRed = red;

    const z = this.level.update(v, 30);
    let record = warm ? this.recordScore(this.levelRecord, z) : 0;
    const r = this.seasonal?.update(v) ?? null;
    if (r !== null) {
      const zr = this.residual.update(r, 100);
      record = Math.max(record, this.recordScore(this.residualRecord, zr));
    }
    return Math.max(novelty, record);
  }

  private recordScore(rec: DecayingRecord, z: number): number {
    const ratio = rec.update(z);
    return z >= this.o.minZ ? ratio / (1 + ratio) : 0;
  }
}
