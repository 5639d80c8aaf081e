import type { Head, HeadSpec } from './model.js';

export interface Example {
  features: Uint32Array;
  /** Index into the head's labels (softmax), or 0/1 (sigmoid). */
  label: number;
  /** A softmax head's target distribution (a teacher's probabilities), in place of the one-hot label. */
  soft?: ArrayLike<number>;
}

export interface TrainOptions {
  dim: number;
  epochs: number;
  learningRate: number;
  l2: number;
  /** Weight each class by n / (k · n_class), so macro metrics do not ignore small classes. */
  balanced: boolean;
  seed: number;
}

export const DEFAULT_TRAIN: Omit<TrainOptions, 'dim'> = { epochs: 8, learningRate: 0.5, l2: 1e-6, balanced: true, seed: 1 };

function shuffle<T>(items: T[], seed: number): T[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Logistic regression (softmax or sigmoid) by AdaGrad SGD over sparse binary features,
 * with lazy L2 folded into the step. Deterministic for a given seed.
 */
export function trainHead(spec: HeadSpec, examples: Example[], opts: TrainOptions): Head {
  const rows = spec.kind === 'softmax' ? spec.labels.length : 1;
  const classes = spec.kind === 'softmax' ? spec.labels.length : 2;
  const w = new Float32Array(rows * opts.dim);
  const g2 = new Float32Array(rows * opts.dim).fill(1e-8);
  const bias = new Float32Array(rows);
  const bg2 = new Float32Array(rows).fill(1e-8);
  const counts = new Array(classes).fill(0);
  for (const e of examples) counts[e.label]++;
  const classWeight = counts.map((c) => (opts.balanced && c > 0 ? examples.length / (classes * c) : 1));
  const logits = new Float64Array(rows);
  const grad = new Float64Array(rows);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (const e of shuffle(examples, opts.seed + epoch)) {
      const f = e.features;
      const norm = 1 / Math.sqrt(Math.max(1, f.length));
      for (let r = 0; r < rows; r++) {
        let s = bias[r]!;
        const base = r * opts.dim;
        for (let i = 0; i < f.length; i++) s += w[base + f[i]!]! * norm;
        logits[r] = s;
      }
      const cw = classWeight[e.label]!;
      if (spec.kind === 'sigmoid') {
        grad[0] = (1 / (1 + Math.exp(-logits[0]!)) - e.label) * cw;
      } else {
        let max = -Infinity;
        for (let r = 0; r < rows; r++) max = Math.max(max, logits[r]!);
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += grad[r] = Math.exp(logits[r]! - max);
        for (let r = 0; r < rows; r++) grad[r] = (grad[r]! / sum - (e.soft ? e.soft[r]! : r === e.label ? 1 : 0)) * cw;
      }
      for (let r = 0; r < rows; r++) {
        const gr = grad[r]!;
        if (gr === 0) continue;
        const base = r * opts.dim;
        for (let i = 0; i < f.length; i++) {
          const k = base + f[i]!;
          const g = gr * norm + opts.l2 * w[k]!;
          g2[k] = g2[k]! + g * g;
          w[k] = w[k]! - (opts.learningRate * g) / Math.sqrt(g2[k]);
        }
        bg2[r] = bg2[r]! + gr * gr;
        bias[r] = bias[r]! - (opts.learningRate * gr) / Math.sqrt(bg2[r]!);
      }
    }
  }
  return { ...spec, weights: w, bias };
}
