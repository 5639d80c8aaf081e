import { RollingWindow, normalTail } from './rolling.js';

export interface LikelihoodOptions {
  /** Raw scores averaged before judging (smooths one-point noise). */
  averaging: number;
  /** Averaged scores that form the series' own normal. */
  history: number;
  /** Points before any judgement (likelihood 0.5). */
  learning: number;
  /** Floor on the spread of the normal, so a perfectly quiet history does not make every blip certain. */
  minStdev: number;
}

export const DEFAULT_LIKELIHOOD: LikelihoodOptions = { averaging: 10, history: 8640, learning: 300, minStdev: 0.01 };

/**
 * How unusual a raw anomaly score is for this series (after Ahmad et al., "Unsupervised
 * real-time anomaly detection for streaming data", 2017): the short average of raw
 * scores against a normal fitted to the series' own history of them. A series whose raw
 * score is always high (noise) stops alarming; a calm one alarms on its first surprise.
 */
export class AnomalyLikelihood {
  private readonly recent: RollingWindow;
  private readonly past: RollingWindow;
  private seen = 0;

  constructor(private readonly o: LikelihoodOptions = DEFAULT_LIKELIHOOD) {
    this.recent = new RollingWindow(o.averaging);
    this.past = new RollingWindow(o.history);
  }

  /** Likelihood in [0, 1] that the raw scores lately are not the series' usual: 0.5 while learning. */
  update(raw: number): number {
    this.recent.push(raw);
    const avg = this.recent.mean();
    this.seen++;
    let likelihood = 0.5;
    if (this.seen > this.o.learning) {
      const sd = Math.max(this.o.minStdev, Math.sqrt(this.past.variance()));
      likelihood = 1 - normalTail((avg - this.past.mean()) / sd);
    }
    this.past.push(avg);
    return likelihood;
  }
}

/** Likelihood → [0, 1] on a log scale: 0.5 at 1 − 1e-5, 1 at 1 − 1e-10 (HTM's reporting scale). */
export const logLikelihood = (l: number) => Math.min(1, Math.max(0, Math.log(1.0000000001 - l) / Math.log(1e-10)));
