/** Which view of a series found the evidence: the surge test, or one of the shape views. */
export type View = 'surge' | 'novelty' | 'level' | 'daily';

/** What the detection core says about one point of a series. */
export interface Evidence {
  /**
   * In [0, 1), for ranking and thresholds: with a record (SeriesCore's `record`, the shape
   * views) 0.5 is "as surprising as the largest lately"; without, a one-in-a-million surge.
   */
  score: number;
  /** −log10 of the tail probability: 6 means one in a million. */
  surprise: number;
  observed: number;
  expected: number;
  /** expected ± 3 standard deviations of the observed value. */
  band: [number, number];
  /** Points the evidence covers, ending at this point. */
  window: number;
  view: View;
}

/** Surprise → score in [0, 1) on a log scale: 0.5 at one in a million. */
export const surpriseScore = (surprise: number) => (surprise > 0 ? surprise / (surprise + 6) : 0);

export const NO_EVIDENCE: Evidence = Object.freeze({ score: 0, surprise: 0, observed: 0, expected: 0, band: [0, 0], window: 1, view: 'surge' }) as Evidence;
