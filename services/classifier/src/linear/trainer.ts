import type { Head, HeadSpec } from './model.js';

export interface Example {
  features: Uint32Array;
  /** Index into the head's labels (softmax), or 0/1 (sigmoid). */
  label: number;
  /** A softmax head's target distribution (a teacher's probabilities), in place of the one-hot label. */
  soft?: ArrayLike<number>;
  /** Index of the example's residual table (trainWithResiduals), e.g. its language; none: the shared weights alone. */
  group?: number;
  /** How much the example counts against others of its class (default 1). */
  weight?: number;
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

/** A residual table's options (trainWithResiduals): its own L2, since it sees a few thousand examples, not tens of thousands. */
export interface ResidualOptions {
  groups: number;
  l2: number;
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
  return train(spec, examples, opts, { groups: 0, l2: 0 }).shared;
}

/**
 * trainHead with one residual table per group (Daumé's feature augmentation): an example
 * of group g scores the shared weights plus table g, and both learn from it together, so a
 * group's few examples move only what the shared weights get wrong for it. Each residual
 * is a head with the spec's labels whose logits add to the shared head's.
 */
export function trainWithResiduals(spec: HeadSpec, examples: Example[], opts: TrainOptions, residual: ResidualOptions): { shared: Head; residuals: Head[] } {
  return train(spec, examples, opts, residual);
}

function train(spec: HeadSpec, examples: Example[], opts: TrainOptions, residual: ResidualOptions): { shared: Head; residuals: Head[] } {
  const rows = spec.kind === 'softmax' ? spec.labels.length : 1;
  const classes = spec.kind === 'softmax' ? spec.labels.length : 2;
  const size = rows * opts.dim;
  // Table 0 holds the shared weights, table 1 + g group g's residual.
  const tables = 1 + residual.groups;
  const w = new Float32Array(tables * size);
  const g2 = new Float32Array(tables * size).fill(1e-8);
  const bias = new Float32Array(tables * rows);
  const bg2 = new Float32Array(tables * rows).fill(1e-8);
  const counts = new Array(classes).fill(0);
  for (const e of examples) counts[e.label]++;
  const stray = examples.find((e) => e.group !== undefined && residual.groups > 0 && !(e.group >= 0 && e.group < residual.groups));
  if (stray) throw new Error(`an example's group ${stray.group} is not one of the ${residual.groups} residual tables`);
  const classWeight = counts.map((c) => (opts.balanced && c > 0 ? examples.length / (classes * c) : 1));
  const logits = new Float64Array(rows);
  const grad = new Float64Array(rows);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (const e of shuffle(examples, opts.seed + epoch)) {
      const f = e.features;
      const norm = 1 / Math.sqrt(Math.max(1, f.length));
      const own = e.group === undefined || residual.groups === 0 ? [0] : [0, 1 + e.group];
      for (let r = 0; r < rows; r++) {
        let s = 0;
        for (const t of own) {
          s += bias[t * rows + r]!;
          const base = t * size + r * opts.dim;
          for (let i = 0; i < f.length; i++) s += w[base + f[i]!]! * norm;
        }
        logits[r] = s;
      }
      const cw = classWeight[e.label]! * (e.weight ?? 1);
      if (spec.kind === 'sigmoid') {
        grad[0] = (1 / (1 + Math.exp(-logits[0]!)) - e.label) * cw;
      } else {
        let max = -Infinity;
        for (let r = 0; r < rows; r++) max = Math.max(max, logits[r]!);
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += grad[r] = Math.exp(logits[r]! - max);
        for (let r = 0; r < rows; r++) grad[r] = (grad[r]! / sum - (e.soft ? e.soft[r]! : r === e.label ? 1 : 0)) * cw;
      }
      for (const t of own) {
        const l2 = t === 0 ? opts.l2 : residual.l2;
        for (let r = 0; r < rows; r++) {
          const gr = grad[r]!;
          if (gr === 0) continue;
          const base = t * size + r * opts.dim;
          for (let i = 0; i < f.length; i++) {
            const k = base + f[i]!;
            const g = gr * norm + l2 * w[k]!;
            g2[k] = g2[k]! + g * g;
            w[k] = w[k]! - (opts.learningRate * g) / Math.sqrt(g2[k]);
          }
          const b = t * rows + r;
          bg2[b] = bg2[b]! + gr * gr;
          bias[b] = bias[b]! - (opts.learningRate * gr) / Math.sqrt(bg2[b]);
        }
      }
    }
  }
  const table = (t: number): Head => ({ ...spec, weights: w.slice(t * size, (t + 1) * size), bias: bias.slice(t * rows, (t + 1) * rows) });
  return { shared: table(0), residuals: Array.from({ length: residual.groups }, (_, g) => table(1 + g)) };
}
