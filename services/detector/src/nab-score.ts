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

export const STANDARD_PROFILE: CostProfile = { tpWeight: 1.0, fpWeight: 0.11, fnWeight: 1.0 };

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

/** Raw NAB score of a set of series at one threshold (detection: score ≥ threshold). */
function rawScore(sweeps: { points: ScoredPoint[]; windows: number }[], threshold: number, profile: CostProfile): number {
  let total = 0;
  for (const { points, windows } of sweeps) {
    const best = new Array<number>(windows).fill(-profile.fnWeight);
    let fp = 0;
    for (const p of points) {
      if (p.window === null || p.score < threshold) continue;
      if (p.window === -1) fp += p.weight;
      else best[p.window] = Math.max(best[p.window]!, p.weight);
    }
    total += fp + best.reduce((a, b) => a + b, 0);
  }
  return total;
}

export interface NabResult {
  threshold: number;
  /** Normalised: 0 = never detects, 100 = every window detected at its start, no false positive. */
  score: number;
  raw: number;
}

/**
 * Normalised score of `series` at `threshold`. NAB normalises with the sums over the
 * scored corpus: null = −fnWeight per window, perfect = tpWeight per window.
 */
export function nabScore(series: LabelledSeries[], threshold: number, profile: CostProfile = STANDARD_PROFILE): NabResult {
  const sweeps = series.map((s) => sweepPoints(s, profile));
  const windows = sweeps.reduce((n, s) => n + s.windows, 0);
  const raw = rawScore(sweeps, threshold, profile);
  const nullScore = -profile.fnWeight * windows;
  const perfect = profile.tpWeight * windows;
  return { threshold, raw, score: perfect === nullScore ? 0 : (100 * (raw - nullScore)) / (perfect - nullScore) };
}

/** The threshold that maximises the corpus score (searched over the scores' own values). */
export function optimiseThreshold(series: LabelledSeries[], profile: CostProfile = STANDARD_PROFILE): NabResult {
  const candidates = new Set<number>([1.01]);
  for (const s of series) for (const v of s.scores) candidates.add(Math.round(v * 1e6) / 1e6);
  const sorted = [...candidates].sort((a, b) => b - a);
  // Coarse-to-fine: every distinct value is too many for big corpora; quantiles suffice.
  const step = Math.max(1, Math.floor(sorted.length / 400));
  let best: NabResult = nabScore(series, 1.01, profile);
  for (let i = 0; i < sorted.length; i += step) {
    const r = nabScore(series, sorted[i]!, profile);
    if (r.score > best.score) best = r;
  }
  const at = sorted.indexOf(best.threshold);
  for (let i = Math.max(0, at - step); i < Math.min(sorted.length, at + step); i++) {
    const r = nabScore(series, sorted[i]!, profile);
    if (r.score > best.score) best = r;
  }
  return best;
}
