import { AnomalyLikelihood, logLikelihood } from './anomaly-likelihood.js';
import { ContextNovelty } from './context-novelty.js';
import { DecayingRecord } from './decaying-record.js';
import type { Evidence } from './evidence.js';
import { RollingWindow, normalTail } from './rolling.js';
import { SeasonalResidual } from './seasonal-residual.js';

export interface ShapeOptions {
  /** Points per day, for the daily-pattern view (0: none). */
  perDay: number;
  days: number;
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
}

export const DEFAULT_SHAPE: ShapeOptions = {
  perDay: 0,
  days: 7,
  levels: 24,
  order: 2,
  averaging: 5,
  learning: 300,
  trailing: 500,
  recordHalfLife: 10_000,
  minZ: 3,
};

/** Below this log-likelihood a sequence is ordinary; only the first point of a run above it counts. */
const RED = 0.5;
const tailSurprise = (z: number) => -Math.log10(Math.max(1e-300, 2 * normalTail(Math.abs(z))));

class ZScore {
  private readonly window: RollingWindow;
  mean = 0;
  sd = 0;
  constructor(size: number) {
    this.window = new RollingWindow(size);
  }
  /** |v − mean| / sd of the trailing window (before v is added), or 0 while it fills. */
  update(v: number, warmup: number): number {
    let z = 0;
    if (this.window.length >= warmup) {
      this.mean = this.window.mean();
      this.sd = Math.max(Math.sqrt(this.window.variance()), 1e-6 * Math.max(1, Math.abs(this.mean)));
      z = Math.abs(v - this.mean) / this.sd;
    }
    this.window.push(v);
    return z;
  }
}

/**
 * The shape views of a series, beside the surge test in SeriesCore: what a sum over a
 * window misses. Bounded memory (trailing points, days × perDay, the contexts seen).
 * - sequence novelty (ContextNovelty) judged against the series' own history of novelty
 *   (AnomalyLikelihood, after HTM), reported only at the first point of a run;
 * - the level: a z-score against the trailing points, as a ratio to the largest lately
 *   (DecayingRecord), so an incident fires once;
 * - the daily pattern: the same for the residual against earlier days at this time.
 * Record scores map r → r / (1 + r): 0.5 is "as surprising as the largest lately".
 */
export class ShapeViews {
  private readonly o: ShapeOptions;
  private readonly novelty: ContextNovelty;
  private readonly likelihood: AnomalyLikelihood;
  private readonly level: ZScore;
  private readonly levelRecord: DecayingRecord;
  private readonly seasonal: SeasonalResidual | null;
  private readonly residual: ZScore;
  private readonly residualRecord: DecayingRecord;
  private wasRed = false;
  private seen = 0;

  constructor(options: Partial<ShapeOptions> = {}) {
    this.o = { ...DEFAULT_SHAPE, ...options };
    this.novelty = new ContextNovelty(this.o.levels, this.o.order);
    this.likelihood = new AnomalyLikelihood({ averaging: this.o.averaging, history: 8640, learning: this.o.learning, minStdev: 0.01 });
    this.level = new ZScore(this.o.trailing);
    this.levelRecord = new DecayingRecord(this.o.recordHalfLife, this.o.minZ);
    this.seasonal = this.o.perDay > 0 ? new SeasonalResidual(this.o.perDay, this.o.days) : null;
    this.residual = new ZScore(this.o.trailing);
    this.residualRecord = new DecayingRecord(this.o.recordHalfLife, this.o.minZ);
  }

  /** The most alarming shape view's evidence at the next value. */
  update(v: number): Evidence {
    const warm = this.seen++ >= 100;
    const likelihood = this.likelihood.update(this.novelty.update(v));
    let novelty = logLikelihood(likelihood);
    const red = novelty >= RED;
    if (red && this.wasRed) novelty = Math.min(novelty, RED - 0.1);
    this.wasRed = red;

    const z = this.level.update(v, 30);
    const levelScore = warm ? this.recordScore(this.levelRecord, z) : 0;
    const around = (expected: number, sd: number): [number, number] => [expected - 3 * sd, expected + 3 * sd];
    let best: Evidence = {
      score: novelty,
      surprise: -Math.log10(Math.max(1e-300, 1 - likelihood)),
      observed: v,
      expected: this.level.mean,
      band: around(this.level.mean, this.level.sd),
      window: 1,
      view: 'novelty',
    };
    if (levelScore > best.score) best = { ...best, score: levelScore, surprise: tailSurprise(z), view: 'level' };
    const r = this.seasonal?.update(v) ?? null;
    if (r !== null) {
      const zr = this.residual.update(r, 100);
      const dailyScore = this.recordScore(this.residualRecord, zr);
      const usual = v - r;
      if (dailyScore > best.score)
        best = { score: dailyScore, surprise: tailSurprise(zr), observed: v, expected: usual, band: around(usual, this.residual.sd), window: 1, view: 'daily' };
    }
    return best;
  }

  private recordScore(rec: DecayingRecord, z: number): number {
    const ratio = rec.update(z);
    return z >= this.o.minZ ? ratio / (1 + ratio) : 0;
  }
}
