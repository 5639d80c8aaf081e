import { DecayingRecord } from './decaying-record.js';
import { NO_EVIDENCE, surpriseScore, type Evidence } from './evidence.js';
import { ShapeViews, type ShapeOptions } from './shape-views.js';
import { surgeAt, type SurgeModel } from './surge.js';

export interface CoreOptions {
  /** Points per day (0: no seasonal baseline). */
  perDay: number;
  /** Earlier days whose same time of day forms the baseline. */
  days: number;
  /** Half-width of the same-time-of-day slot, in points. */
  slot: number;
  /** Points before the window in the trailing baseline. */
  trailing: number;
  /** Window lengths tested, in points; the most surprising one wins. */
  windows: number[];
  /** Counts or Gaussian; by default chosen from the data (see SeriesCore). */
  mode?: SurgeModel['mode'];
  /** Gaussian mode: drops are evidence too. */
  twoSided: boolean;
  /** Counts mode: the median of the baseline ranges' rates (an incident cannot raise its own baseline). */
  robust: boolean;
  /** The shape views beside the surge test (novelty, level, daily pattern); null: the surge test alone. */
  shapes: Partial<ShapeOptions> | null;
  /**
   * The surge view's score as a ratio to the largest surprise lately (a record that halves
   * every `halfLife` points; surprises under `floor` never count), so an incident scores
   * high once, at its onset; null: the score is the surprise itself.
   */
  record: { halfLife: number; floor: number } | null;
}

export interface Reading {
  /** The most alarming view's evidence at this point. */
  evidence: Evidence;
  /** The surge test's own evidence: the one the stream detectors page on. */
  surge: Evidence;
}

/**
 * Earshot's one detection core for one series: each value in, the evidence of an anomaly
 * at that point out, from only the values before it (causal) and a ring of the latest
 * days × perDay + slot + trailing + longest window of them (bounded memory).
 *
 * Counts mode (a quasi-Poisson tail) while every value so far is a non-negative integer;
 * from the first value that is not, Gaussian mode (two-sided by default: a drop is
 * evidence too). The rule reads the data, never the series' name.
 */
export class SeriesCore {
  private readonly o: CoreOptions;
  private readonly cap: number;
  // Each value is written twice, at i and i + cap, so the latest cap values are one contiguous view.
  private readonly ring: Float64Array;
  private count = 0;
  private counts = true;
  /** Series index of the first non-zero value (robust mode's start of history), -1 before it. */
  private firstEvent = -1;
  private readonly shapes: ShapeViews | null;
  private readonly record: DecayingRecord | null;

  constructor(options: CoreOptions) {
    this.o = options;
    this.cap = Math.max(1, options.days * options.perDay + options.slot + options.trailing + Math.max(...options.windows));
    this.ring = new Float64Array(2 * this.cap);
    if (options.mode) this.counts = options.mode === 'counts';
    this.record = options.record ? new DecayingRecord(options.record.halfLife, options.record.floor) : null;
    this.shapes = options.shapes ? new ShapeViews({ perDay: options.perDay, days: options.days, ...options.shapes }) : null;
  }

  /** Values held: the bound on this series' memory. */
  get capacity(): number {
    return this.cap;
  }

  /** The evidence at the next value (non-finite values count as 0). */
  push(raw: number): Reading {
    const v = Number.isFinite(raw) ? raw : 0;
    if (!this.o.mode && this.counts && !(v >= 0 && Number.isInteger(v))) this.counts = false;
    if (v !== 0 && this.firstEvent < 0) this.firstEvent = this.count;
    const at = this.count % this.cap;
    this.ring[at] = v;
    this.ring[at + this.cap] = v;
    this.count++;
    const full = this.count >= this.cap;
    const values = full ? this.ring.subarray(at + 1, at + 1 + this.cap) : this.ring.subarray(0, this.count);
    const end = values.length;
    const offset = this.count - end;
    const first = this.firstEvent < 0 ? end : Math.max(0, this.firstEvent - offset);
    const model: SurgeModel = { ...this.o, mode: this.counts ? 'counts' : 'gaussian' };
    const r = surgeAt(values, end, model, first);
    const surge: Evidence = r
      ? {
          score: this.onsetScore(r.surprise),
          surprise: r.surprise,
          observed: r.observed,
          expected: r.expected,
          band: [r.expected - 3 * r.sd, r.expected + 3 * r.sd],
          window: r.window,
          view: 'surge',
        }
      : { ...NO_EVIDENCE, score: this.onsetScore(0) };
    const shape = this.shapes?.update(v);
    return { evidence: shape && shape.score > surge.score ? shape : surge, surge };
  }

  private onsetScore(surprise: number): number {
    if (!this.record) return surpriseScore(surprise);
    const ratio = this.record.update(surprise);
    return surprise >= this.o.record!.floor ? ratio / (1 + ratio) : 0;
  }
}
