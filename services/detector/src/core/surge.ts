import { poissonUpperTail } from '../poisson.js';

/**
 * The surge test, the one test behind both the streaming detectors and `earshot detect`
 * (through SeriesCore): the sum of
 * the last `w` points against a baseline made of the same time of day on earlier days
 * (seasonality) and the trailing points before the window. Counts are judged with a
 * (quasi-)Poisson tail (quiet series stay quiet), other values with a Gaussian one on the
 * baseline's own spread. Causal: only points before `end` are read.
 */
export interface SurgeModel {
  mode: 'counts' | 'gaussian';
  /** Window lengths tested, in points; the most surprising one wins. */
  windows: number[];
  /** Points per day (0: no seasonal part). */
  perDay: number;
  days: number;
  /** Half-width of the same-time-of-day slot, in points. */
  slot: number;
  /** Points before the window in the trailing baseline. */
  trailing: number;
  /** Gaussian mode: also flag drops, not only rises. */
  twoSided: boolean;
  /**
   * Counts mode: the usual rate is the median of the baseline ranges' own rates (each
   * earlier day's slot, the trailing points), so an incident in the trailing points (or one
   * odd day) cannot move the baseline it is judged on.
   */
  robust?: boolean;
}

export interface SurgeResult {
  /** −log10 of the tail probability: 6 means one in a million. */
  surprise: number;
  observed: number;
  expected: number;
  sd: number;
  window: number;
}

const LN10 = Math.log(10);

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length / 2;
  return s.length % 2 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * The surge test over the `end` points of `values` before `end`. `firstEvent` is the index of
 * the series' first non-zero value when `values` holds only its latest points (a ring, see
 * SeriesCore): 0 when one came before them; by default it is found in `values`.
 */
export function surgeAt(values: ArrayLike<number>, end: number, m: SurgeModel, firstEvent?: number): SurgeResult | null {
  let best: SurgeResult | null = null;
  // Robust mode: the zeros before a series' first event are no history (a brand's first days,
  // a backfill's first week); counted, their median would call every ordinary hour a surge.
  // Unless nothing came before the window at all: then the zeros are the history.
  let first = 0;
  if (m.robust) {
    if (firstEvent !== undefined) first = Math.min(firstEvent, end);
    else while (first < end && values[first] === 0) first++;
  }
  for (const w of m.windows) {
    if (end - w < 1) continue;
    let observed = 0;
    for (let i = end - w; i < end; i++) observed += values[i]!;
    let n = 0;
    let sum = 0;
    let sumSq = 0;
    const rates: number[] = [];
    const take = (from: number, to: number) => {
      let rn = 0;
      let rs = 0;
      let rss = 0;
      for (let i = Math.max(first < end - w ? first : 0, from); i < Math.min(to, end - w); i++) {
        const v = values[i]!;
        rn++;
        rs += v;
        rss += v * v;
      }
      if (rn === 0) return;
      ((n += rn), (sum += rs), (sumSq += rss));
      rates.push(rs / rn);
    };
    if (m.perDay > 0) for (let d = 1; d <= m.days; d++) take(end - w - d * m.perDay - m.slot, end - d * m.perDay + m.slot);
    take(end - w - m.trailing, end - w);
    if (n === 0) continue;
    const robust = m.robust && m.mode === 'counts';
    const mean = robust ? median(rates) : sum / n;
    // The spread is the pooled one about that rate: it carries the day-to-day drift that a
    // window's count inherits, which each range's own spread misses.
    const sdPoint = Math.sqrt(Math.max(0, sumSq / n - 2 * mean * (sum / n) + mean * mean));
    let surprise: number;
    let expected: number;
    let sd: number;
    if (m.mode === 'counts') {
      expected = Math.max(mean, 0.02) * w;
      // Quasi-Poisson: mention counts vary more than Poisson (bursts, busier days); judge them
      // on the baseline's own dispersion so noisy brands do not page on ordinary bursts.
      const dispersion = Math.max(1, (sdPoint * sdPoint) / Math.max(mean, 0.02));
      sd = Math.sqrt(expected * dispersion);
      const p = poissonUpperTail(Math.round(observed / dispersion), expected / dispersion);
      surprise = p > 0 ? -Math.log10(p) : 300;
    } else {
      expected = mean * w;
      sd = Math.max(sdPoint, 1e-9 * Math.max(1, Math.abs(mean))) * Math.sqrt(w);
      const z = (observed - expected) / sd;
      const tail = m.twoSided ? Math.abs(z) : Math.max(0, z);
      // −log10 of the normal tail, by its asymptote for large z (exact enough for ranking).
      surprise = tail < 1 ? 0 : (tail * tail) / 2 / LN10 + Math.log10(tail * Math.sqrt(2 * Math.PI));
    }
    if (!best || surprise > best.surprise) best = { surprise, observed, expected, sd, window: w };
  }
  return best;
}
