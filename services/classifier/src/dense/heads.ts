import { readFileSync, writeFileSync } from 'node:fs';
import type { HeadSpec } from '../linear/model.js';

export interface DenseHead extends HeadSpec {
  /** [row][dim]: one row per label (softmax) or one row (sigmoid). */
  weights: number[][];
  bias: number[];
  /** Already in `bias`: the logit shift a yes/no head got so its predicted-positive rate matches held-out data (complaint). */
  rateShift?: number;
}

export interface MixCalibration {
  weight: number;
  linearSha256: string;
  /** Logit shift per yes/no head (its predicted-positive rate). */
  shift: Record<string, number>;
  /** Temperature per head, dividing its logits (log-probabilities for softmax heads) after the shift. */
  temperature?: Record<string, number>;
}

export interface DenseHeadsFile {
  format: 'earshot-dense-heads/1';
  /** The encoder these heads were trained on; loading checks the dimension. */
  encoder: {
    name: string;
    dims: number;
    pooling: 'mean';
    normalize: boolean;
    languages?: string[];
    /** Put before every text, as in training (e5 models read "query: " + text). */
    prefix?: string;
  };
  heads: DenseHead[];
  /**
   * Heads that replace the same-named ones for texts detected in a language (its code):
   * the multilingual encoder's sentiment head per language, which held-out train tweets
   * preferred to one shared head (scripts/models/multilingual/fit_heads.py).
   */
  byLanguage?: Record<string, DenseHead[]>;
  /**
   * Applied after the mix with the linear model (scripts/calibrate-mix.ts, src/mix-calibration.ts):
   * logit shifts so the yes/no heads call as many val tweets positive as are, and temperatures
   * so every head's confidence matches val. They hold only for this mix weight and this
   * linear model (its file's SHA-256).
   */
  mix?: MixCalibration;
  trainedOn: Record<string, number>;
}

/** Logistic-regression heads over a sentence embedding (the accurate tier's read-outs). */
export class DenseHeads {
  constructor(readonly file: DenseHeadsFile) {}

  static load(path: string): DenseHeads {
    const file = JSON.parse(readFileSync(path, 'utf8')) as DenseHeadsFile;
    if (file.format !== 'earshot-dense-heads/1') throw new Error(`${path} is not an Earshot dense-heads file`);
    return new DenseHeads(file);
  }

  save(path: string): void {
    const round = (x: number) => Math.round(x * 1e5) / 1e5;
    writeFileSync(
      path,
      JSON.stringify({ ...this.file, heads: this.file.heads.map((h) => ({ ...h, weights: h.weights.map((r) => r.map(round)), bias: h.bias.map(round) })) }),
    );
  }

  /** The heads for a text in `lang`: its own where the file has them, the shared ones otherwise. */
  headsFor(lang?: string): DenseHead[] {
    const own = lang === undefined ? undefined : this.file.byLanguage?.[lang];
    return own ? this.file.heads.map((h) => own.find((o) => o.name === h.name) ?? h) : this.file.heads;
  }

  predict(embedding: ArrayLike<number>, lang?: string): Record<string, Record<string, number>> {
    if (embedding.length !== this.file.encoder.dims) throw new Error(`embedding has ${embedding.length} dims, heads expect ${this.file.encoder.dims}`);
    const out: Record<string, Record<string, number>> = {};
    for (const h of this.headsFor(lang)) {
      const logits = h.weights.map((row, r) => {
        let s = h.bias[r]!;
        for (let i = 0; i < row.length; i++) s += row[i]! * embedding[i]!;
        return s;
      });
      if (h.kind === 'sigmoid') out[h.name] = { [h.labels[0]!]: 1 / (1 + Math.exp(-logits[0]!)) };
      else {
        const max = Math.max(...logits);
        const e = logits.map((l) => Math.exp(l - max));
        const sum = e.reduce((a, b) => a + b, 0);
        out[h.name] = Object.fromEntries(h.labels.map((l, i) => [l, e[i]! / sum]));
      }
    }
    return out;
  }
}

/** Dense logistic regression by AdaGrad, balanced classes; deterministic. */
export function trainDenseHead(
  spec: HeadSpec,
  xs: Float32Array[],
  ys: number[],
  opts: { epochs: number; learningRate: number; l2: number; seed: number },
): DenseHead {
  const dims = xs[0]!.length;
  const rows = spec.kind === 'softmax' ? spec.labels.length : 1;
  const classes = spec.kind === 'softmax' ? spec.labels.length : 2;
  const w = Array.from({ length: rows }, () => new Float64Array(dims));
  const g2 = Array.from({ length: rows }, () => new Float64Array(dims).fill(1e-8));
  const b = new Float64Array(rows);
  const bg = new Float64Array(rows).fill(1e-8);
  const counts = new Array(classes).fill(0);
  for (const y of ys) counts[y]++;
  const cw = counts.map((c) => (c ? ys.length / (classes * c) : 1));
  let a = opts.seed >>> 0;
  const rand = () => (a = (Math.imul(a ^ (a >>> 15), 2246822519) + 0x9e3779b9) >>> 0) / 4294967296;
  const order = xs.map((_, i) => i);
  const logits = new Float64Array(rows);
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const n of order) {
      const x = xs[n]!;
      for (let r = 0; r < rows; r++) {
        let s = b[r]!;
        const wr = w[r]!;
        for (let i = 0; i < dims; i++) s += wr[i]! * x[i]!;
        logits[r] = s;
      }
      const y = ys[n]!;
      const grads = new Float64Array(rows);
      if (spec.kind === 'sigmoid') grads[0] = (1 / (1 + Math.exp(-logits[0]!)) - y) * cw[y]!;
      else {
        const max = Math.max(...logits);
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += grads[r] = Math.exp(logits[r]! - max);
        for (let r = 0; r < rows; r++) grads[r] = (grads[r]! / sum - (r === y ? 1 : 0)) * cw[y]!;
      }
      for (let r = 0; r < rows; r++) {
        const gr = grads[r]!;
        const wr = w[r]!;
        const gr2 = g2[r]!;
        for (let i = 0; i < dims; i++) {
          const g = gr * x[i]! + opts.l2 * wr[i]!;
          gr2[i] = gr2[i]! + g * g;
          wr[i] = wr[i]! - (opts.learningRate * g) / Math.sqrt(gr2[i]!);
        }
        bg[r] = bg[r]! + gr * gr;
        b[r] = b[r]! - (opts.learningRate * gr) / Math.sqrt(bg[r]!);
      }
    }
  }
  return { ...spec, weights: w.map((r) => Array.from(r)), bias: Array.from(b) };
}
