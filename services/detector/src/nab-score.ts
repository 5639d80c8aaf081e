/**
 * The NAB scoring rules (Lavin & Ahmad 2015, numenta/NAB), standard profile by default:
 * each labelled anomaly window earns the scaled-sigmoid reward of its earliest
 * detection (or −fnWeight if missed), each detection outside a window costs fpWeight
 * times a sigmoid of its distance past the previous window; the first 15% of a file
 * (at most 750 points) is probationary and not scored; the reported score is
 * normalised so a detector that never fires gets 0 and a perfect one 100, with one
 * threshold chosen on the whole corpus, as NAB does.
 */
export interface CostProfile {
  tpWeight: number;
  fpWeight: number;
  fnWeight: number;
}

/** NAB's three application profiles (config/profiles.json in numenta/NAB). */
export const PROFILES = {
  standard: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 1.0 },
  reward_low_FP_rate: { tpWeight: 1.0, fpWeight: 0.22, fnWeight: 1.0 },
  reward_low_FN_rate: { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 2.0 },
} as const satisfies Record<string, CostProfile>;
export type ProfileName = keyof typeof PROFILES;

export const STANDARD_PROFILE: CostProfile = PROFILES.standard;

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
/** −1 at a window's left edge → +0.987; 0 at its right edge → 0; far past it → −1. */
export const scaledSigmoid = (position: number) => (position >= 3 ? -1 : 2 * sigmoid(-5 * position) - 1);

interface ScoredPoint {
  score: number;
  /** Reward (in a window) or cost (outside) of detecting here. */
  weight: number;
  /** Index of the window the point is in, -1 outside, null in the probationary period. */
  window: number | null;
}

export interface LabelledSeries {
  name: string;
  timestamps: string[];
  scores: number[];
  /** [start, end] timestamps, as in NAB's combined_windows.json. */
  windows: [string, string][];
}

function sweepPoints(series: LabelledSeries, profile: CostProfile): { points: ScoredPoint[]; windows: number } {
  const n = series.timestamps.length;
  const probation = Math.min(Math.floor(0.15 * n), 0.15 * 5000);
  const index = new Map(series.timestamps.map((t, i) => [t, i]));
  const bounds = series.windows.map(([a, b]) => {
    const start = index.get(a);
    const end = index.get(b);
    if (start === undefined || end === undefined) throw new Error(`${series.name}: window ${a} – ${b} does not start and end on timestamps of the series`);
    return { start, end };
  });
  const maxTp = scaledSigmoid(-1);
  const points: ScoredPoint[] = [];
  let w = 0;
  let prev: { end: number; width: number } | null = null;
  for (let i = 0; i < n; i++) {
    const cur = bounds[w];
    const inside = cur !== undefined && i >= cur.start && i <= cur.end;
    let weight: number;
    if (inside) {
      const width = cur.end - cur.start + 1;
      weight = (scaledSigmoid(-(cur.end - i + 1) / width) * profile.tpWeight) / maxTp;
    } else {
      const position = prev ? Math.abs(prev.end - i) / (prev.width - 1) : 3;
      weight = scaledSigmoid(position) * profile.fpWeight;
    }
    points.push({ score: series.scores[i]!, weight, window: i < probation ? null : inside ? w : -1 });
    if (inside && i === cur.end) {
      prev = { end: cur.end, width: cur.end - cur.start + 1 };
      w++;
    }
  }
  return { points, windows: bounds.length };
}

export interface SeriesCounts {
  /** Raw score: window rewards and penalties plus false-positive costs. */
  score: number;
  /** Points (not windows) at or above the threshold inside windows, as NAB counts them. */
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

/** NAB's per-series result at one threshold (detection: score ≥ threshold), probationary points left out. */
export function scoreAt(series: LabelledSeries, threshold: number, profile: CostProfile = STANDARD_PROFILE): SeriesCounts {
  return countsAt(sweepPoints(series, profile), threshold, profile);
}

function countsAt({ points, windows }: { points: ScoredPoint[]; windows: number }, threshold: number, profile: CostProfile): SeriesCounts {
  const best = new Array<number>(windows).fill(-profile.fnWeight);
  const c = { score: 0, tp: 0, fp: 0, fn: 0, tn: 0 };
  for (const p of points) {
    if (p.window === null) continue;
    const hit = p.score >= threshold;
    if (p.window === -1) {
      if (hit) {
        c.fp++;
        c.score += p.weight;
      } else c.tn++;
    } else if (hit) {
      c.tp++;
      best[p.window] = Math.max(best[p.window]!, p.weight);
    } else c.fn++;
  }
  c.score += best.reduce((a, b) => a + b, 0);
  return c;
}

export interface NabResult {
  threshold: number;
  /** Normalised: 0 = never detects, 100 = every window detected at its start, no false positive. */
  score: number;
  raw: number;
}

/** NAB's normalisation over a scored corpus: null = −fnWeight per window, perfect = tpWeight per window. */
export function normalise(raw: number, windows: number, profile: CostProfile): number {
  const nullScore = -profile.fnWeight * windows;
  const perfect = profile.tpWeight * windows;
  return perfect === nullScore ? 0 : (100 * (raw - nullScore)) / (perfect - nullScore);
}

/** Normalised score of `series` at `threshold`. */
export function nabScore(series: LabelledSeries[], threshold: number, profile: CostProfile = STANDARD_PROFILE): NabResult {
  const sweeps = series.map((s) => sweepPoints(s, profile));
  const windows = sweeps.reduce((n, s) => n + s.windows, 0);
  const raw = sweeps.reduce((sum, s) => sum + countsAt(s, threshold, profile).score, 0);
  return { threshold, raw, score: normalise(raw, windows, profile) };
}

/**
 * The one threshold that maximises the corpus score, found exactly: every scorable point
 * sorted by score, the threshold lowered past one distinct score at a time while each
 * window keeps its earliest (best) reward and false positives add their costs.
 */
export function optimiseThreshold(series: LabelledSeries[], profile: CostProfile = STANDARD_PROFILE): NabResult {
  const sweeps = series.map((s) => sweepPoints(s, profile));
  const windows = sweeps.reduce((n, s) => n + s.windows, 0);
  const offsets: number[] = [];
  let total = 0;
  for (const s of sweeps) {
    offsets.push(total);
    total += s.windows;
  }
  const best = new Float64Array(total).fill(-profile.fnWeight);
  const all: { score: number; weight: number; window: number }[] = [];
  sweeps.forEach((s, k) => {
    for (const p of s.points) if (p.window !== null) all.push({ score: p.score, weight: p.weight, window: p.window === -1 ? -1 : offsets[k]! + p.window });
  });
  all.sort((a, b) => b.score - a.score);
  let raw = -profile.fnWeight * total;
  let top: NabResult = { threshold: Infinity, raw, score: normalise(raw, windows, profile) };
  for (let i = 0; i < all.length; i++) {
    const p = all[i]!;
    if (p.window === -1) raw += p.weight;
    else if (p.weight > best[p.window]!) {
      raw += p.weight - best[p.window]!;
      best[p.window] = p.weight;
    }
    // A threshold sits at a distinct score: evaluate once all points with this score are in.
    if (i + 1 < all.length && all[i + 1]!.score === p.score) continue;
    const score = normalise(raw, windows, profile);
    if (score > top.score) top = { threshold: p.score, raw, score };
  }
  return top;
}

/**
 * Leave one category out: each category scored at the threshold chosen on the others (the
 * hidden NAB series are other kinds of data), summed over the corpus and normalised.
 */
export function leaveOneCategoryOut(series: (LabelledSeries & { category: string })[], profile: CostProfile = STANDARD_PROFILE): number {
  let raw = 0;
  let windows = 0;
  for (const c of new Set(series.map((s) => s.category))) {
    const part = series.filter((s) => s.category === c);
    const threshold = optimiseThreshold(
      series.filter((s) => s.category !== c),
      profile,
    ).threshold;
    raw += nabScore(part, threshold, profile).raw;
    windows += part.reduce((n, s) => n + s.windows.length, 0);
  }
  return normalise(raw, windows, profile);
}
