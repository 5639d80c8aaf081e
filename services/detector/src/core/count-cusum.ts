/**
 * Page's CUSUM on counts: the running sum of each point's log-likelihood ratio between a rate
 * `ratio` times the usual and the usual, reset at zero (Page 1954). It is the fastest test
 * for a rise of that size at a given false-alarm rate (Lorden 1971: a threshold of h nats
 * gives at most one false alarm in e^h points), so a run of surprising minutes pages as soon
 * as their evidence adds up, where a fixed window waits for enough of them to fall inside it.
 * At a small brand that is the difference: an outage of one complaint a minute where one in
 * seven minutes is usual shows in no 2- or 5-minute window, but adds up within minutes.
 *
 * Counts are negative binomial with the baseline's dispersion (variance over mean): a Poisson
 * whose rate itself varies minute to minute (bursts of reposts), and a rise scales that rate.
 * Causal and stateless: it reads only `values[from..end)` and the usual rate given.
 */
export interface CusumResult {
  /** The evidence at `end`, in nats: −ln of the false-alarm chance per point it stands for. */
  llr: number;
  /** Index of the run's first point: where the evidence began to add up. */
  start: number;
  /** The ratio of the chart that found it. */
  ratio: number;
}

/**
 * The strongest chart's CUSUM over `values[from..end)`, against `rate` a point at this
 * `dispersion` (1: Poisson). Null when no chart holds any evidence at `end`.
 */
export function countCusum(values: ArrayLike<number>, from: number, end: number, rate: number, dispersion: number, ratios: number[]): CusumResult | null {
  let best: CusumResult | null = null;
  const mu = Math.max(rate, 1e-9);
  for (const ratio of ratios) {
    // The per-point log-likelihood ratio is a·x + b: Poisson's x·ln r − (r − 1)·μ, or the
    // negative binomial's with the gamma's shape (size) fixed and its scale raised r-fold.
    let a: number;
    let b: number;
    if (dispersion - 1 < 1e-6) {
      a = Math.log(ratio);
      b = -(ratio - 1) * mu;
    } else {
      const size = mu / (dispersion - 1);
      const q0 = mu / (size + mu);
      const q1 = (ratio * mu) / (size + ratio * mu);
      a = Math.log(q1 / q0);
      b = size * Math.log((1 - q1) / (1 - q0));
    }
    let s = 0;
    let start = from;
    for (let i = Math.max(0, from); i < end; i++) {
      s += a * values[i]! + b;
      if (s <= 0) ((s = 0), (start = i + 1));
    }
    if (s > 0 && (!best || s > best.llr)) best = { llr: s, start, ratio };
  }
  return best;
}
