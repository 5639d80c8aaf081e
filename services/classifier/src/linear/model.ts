import { readFileSync, writeFileSync } from 'node:fs';
import { featurize, type FeatureOptions } from './features.js';

export interface HeadSpec {
  name: string;
  labels: string[];
  /** softmax: one label among several; sigmoid: labels[0] is the positive class of a yes/no head. */
  kind: 'softmax' | 'sigmoid';
}

export interface Head extends HeadSpec {
  /** Row-major [row][dim]; one row per label (softmax) or one row (sigmoid). */
  weights: Float32Array;
  bias: Float32Array;
  /** Tuned decision threshold of a sigmoid head. */
  threshold?: number;
  /**
   * A language's residual: its logits add to those of the head of the same name when the
   * lang head's top label is this language, with at least LANGUAGE_GATE of its probability.
   */
  language?: string;
}

export interface LinearModelFile {
  name: string;
  version: string;
  features: FeatureOptions;
  heads: Head[];
  trainedOn: Record<string, unknown>;
}

const MAGIC = 'ESLM1';

// The hot loop adds every row's int8 weight for each of a text's features (18 rows, about
// 240 features a tweet). Three rows ride in one float64, each weight offset by 128 into its
// own 17-bit lane, so one add does the work of three and stays exact: a lane gains at most
// 255 per feature, and sums are drained every LANE_CHUNK features, before a lane can carry.
// The slots are read six at a time into locals (18 rows, the shipped model's), which V8
// keeps in registers; a model with more rows takes one more pass per six slots.
const LANES = 3;
const LANE = 2 ** 17;
const LANE_CHUNK = 512;
const GROUP = 6;
/** How sure the lang head must be of a language for that language's residuals to apply. */
export const LANGUAGE_GATE = 0.5;

const rowsOf = (h: HeadSpec) => (h.kind === 'softmax' ? h.labels.length : 1);

/** One head's int8 rows, quantised per row: each row's scale and its rounded weights. */
function quantise(h: Head, dim: number): { scales: number[]; q: Int8Array } {
  const rows = rowsOf(h);
  const scales = Array.from({ length: rows }, (_, r) => {
    let max = 0;
    for (let i = 0; i < dim; i++) max = Math.max(max, Math.abs(h.weights[r * dim + i]!));
    return max / 127 || 1;
  });
  const q = new Int8Array(rows * dim);
  for (let r = 0; r < rows; r++) for (let i = 0; i < dim; i++) q[r * dim + i] = Math.max(-127, Math.min(127, Math.round(h.weights[r * dim + i]! / scales[r]!)));
  return { scales, q };
}

/** Heads' int8 rows packed three to a float64 (see LANES), feature-major: [feature][slot]. */
function pack(heads: Head[], dim: number, slots: number): { packed: Float64Array; scales: Float64Array } {
  const rows = heads.reduce((n, h) => n + rowsOf(h), 0);
  const packed = new Float64Array(dim * slots);
  const scales = new Float64Array(rows);
  let row = 0;
  for (const h of heads) {
    const { scales: s, q } = quantise(h, dim);
    for (let r = 0; r < rowsOf(h); r++, row++) {
      scales[row] = s[r]!;
      const slot = Math.floor(row / LANES);
      const place = LANE ** (row % LANES);
      for (let i = 0; i < dim; i++) {
        const k = i * slots + slot;
        packed[k] = packed[k]! + (q[r * dim + i]! + 128) * place;
      }
    }
  }
  return { packed, scales };
}

/** A language's residual head, packed into one float64 a feature (it has at most LANES rows). */
interface Residual {
  language: string;
  /** Index of the head it adds to among the model's heads, and that head's first row. */
  head: number;
  firstRow: number;
  rows: number;
  packed: Float64Array;
  scales: Float64Array;
  bias: Float32Array;
}

/**
 * Hashed-feature linear heads sharing one featurisation. Saved as a small binary:
 * a JSON header, then each head's weights as int8 with a per-row scale (4× smaller
 * than float32, within a fraction of a point on every benchmark).
 */
export class LinearModel {
  /** All heads' int8 rows, feature-major and three to a float64 ([feature][row / 3]): see LANES. */
  private readonly packed: Float64Array;
  private readonly scales: Float64Array;
  private readonly rows: number;
  private readonly slots: number;
  // Scratch for predictFeatures, reused: it is synchronous and runs once a text.
  private readonly sums: Float64Array;
  private readonly acc: Float64Array;
  private readonly logits: Float64Array;
  /** The heads every text scores (the file's heads less the language residuals). */
  private readonly heads: Head[];
  private readonly residuals: Residual[];
  private readonly langHead: number;

  constructor(readonly file: LinearModelFile) {
    const dim = 1 << file.features.bits;
    this.heads = file.heads.filter((h) => h.language === undefined);
    this.rows = this.heads.reduce((n, h) => n + rowsOf(h), 0);
    this.slots = GROUP * Math.ceil(this.rows / LANES / GROUP);
    ({ packed: this.packed, scales: this.scales } = pack(this.heads, dim, this.slots));
    this.sums = new Float64Array(this.rows);
    this.acc = new Float64Array(this.slots);
    this.logits = new Float64Array(this.rows);
    const firstRows = this.heads.map((_, i) => this.heads.slice(0, i).reduce((n, h) => n + rowsOf(h), 0));
    this.langHead = this.heads.findIndex((h) => h.name === 'lang');
    this.residuals = file.heads
      .filter((h) => h.language !== undefined)
      .map((h) => {
        const head = this.heads.findIndex((x) => x.name === h.name);
        if (head < 0 || this.langHead < 0 || rowsOf(this.heads[head]!) !== rowsOf(h) || rowsOf(h) > LANES)
          throw new Error(
            `model ${file.name}: the ${h.language} residual of "${h.name}" has no head of ${rowsOf(h)} rows (at most ${LANES}) to add to, or no lang head`,
          );
        return { language: h.language!, head, firstRow: firstRows[head]!, rows: rowsOf(h), ...pack([h], dim, 1), bias: h.bias };
      });
  }

  get name() {
    return this.file.name;
  }
  get version() {
    return this.file.version;
  }

  head(name: string): Head {
    const h = this.heads.find((x) => x.name === name);
    if (!h) throw new Error(`model ${this.file.name} has no head "${name}"`);
    return h;
  }

  /** Probabilities per head for one text. */
  predict(text: string): Record<string, Record<string, number>> {
    return this.predictFeatures(featurize(text, this.file.features));
  }

  predictFeatures(features: Uint32Array): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    const norm = 1 / Math.sqrt(Math.max(1, features.length));
    const sums = this.weightSums(features);
    const logits = this.logits;
    let row = 0;
    for (const h of this.heads) for (let r = 0; r < rowsOf(h); r++, row++) logits[row] = sums[row]! * this.scales[row]! * norm + h.bias[r]!;
    if (this.residuals.length > 0) this.addResiduals(features, norm);
    row = 0;
    for (const h of this.heads) {
      const rows = rowsOf(h);
      const probs: Record<string, number> = {};
      if (h.kind === 'sigmoid') probs[h.labels[0]!] = 1 / (1 + Math.exp(-logits[row]!));
      else {
        let max = -Infinity;
        for (let r = 0; r < rows; r++) max = Math.max(max, logits[row + r]!);
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += Math.exp(logits[row + r]! - max);
        for (let r = 0; r < rows; r++) probs[h.labels[r]!] = Math.exp(logits[row + r]! - max) / sum;
      }
      out[h.name] = probs;
      row += rows;
    }
    return out;
  }

  /**
   * The language whose residuals apply to a text: the lang head's top label when it has at
   * least LANGUAGE_GATE of the probability; undefined otherwise or with no lang head.
   */
  gatedLanguage(lang: Record<string, number> | undefined): string | undefined {
    if (!lang) return undefined;
    const [code, p] = Object.entries(lang).reduce((a, b) => (b[1] > a[1] ? b : a));
    return p >= LANGUAGE_GATE ? code : undefined;
  }

  /** Adds the residuals of the language the lang head is sure of (gatedLanguage) to their heads' logits. */
  private addResiduals(features: Uint32Array, norm: number): void {
    const logits = this.logits;
    const lang = this.heads[this.langHead]!;
    const first = this.heads.slice(0, this.langHead).reduce((n, h) => n + rowsOf(h), 0);
    let top = 0;
    for (let r = 1; r < lang.labels.length; r++) if (logits[first + r]! > logits[first + top]!) top = r;
    let sum = 0;
    for (let r = 0; r < lang.labels.length; r++) sum += Math.exp(logits[first + r]! - logits[first + top]!);
    // The same rule as gatedLanguage, on the logits (no probabilities built on the hot path).
    if (1 / sum < LANGUAGE_GATE) return;
    const language = lang.labels[top]!;
    for (const res of this.residuals) {
      if (res.language !== language) continue;
      const packed = res.packed;
      for (let start = 0; start < features.length; start += LANE_CHUNK) {
        const end = Math.min(features.length, start + LANE_CHUNK);
        let a = 0;
        for (let i = start; i < end; i++) a += packed[features[i]!]!;
        for (let r = 0; r < res.rows; r++) {
          const place = LANE ** r;
          logits[res.firstRow + r] = logits[res.firstRow + r]! + ((Math.floor(a / place) % LANE) - 128 * (end - start)) * res.scales[r]! * norm;
        }
      }
      for (let r = 0; r < res.rows; r++) logits[res.firstRow + r] = logits[res.firstRow + r]! + res.bias[r]!;
    }
  }

  /** Per row, the sum of its int8 weights over the features (exact integers), in a buffer reused per call. */
  private weightSums(features: Uint32Array): Float64Array {
    const S = this.slots;
    const packed = this.packed;
    const { sums, acc } = this;
    sums.fill(0);
    for (let start = 0; start < features.length; start += LANE_CHUNK) {
      const end = Math.min(features.length, start + LANE_CHUNK);
      for (let g = 0; g < S; g += GROUP) {
        let a0 = 0,
          a1 = 0,
          a2 = 0,
          a3 = 0,
          a4 = 0,
          a5 = 0;
        for (let i = start; i < end; i++) {
          const b = features[i]! * S + g;
          a0 += packed[b]!;
          a1 += packed[b + 1]!;
          a2 += packed[b + 2]!;
          a3 += packed[b + 3]!;
          a4 += packed[b + 4]!;
          a5 += packed[b + 5]!;
        }
        acc[g] = a0;
        acc[g + 1] = a1;
        acc[g + 2] = a2;
        acc[g + 3] = a3;
        acc[g + 4] = a4;
        acc[g + 5] = a5;
      }
      const offset = 128 * (end - start);
      for (let row = 0; row < this.rows; row++) {
        const v = acc[Math.floor(row / LANES)]!;
        const place = LANE ** (row % LANES);
        sums[row] = sums[row]! + (Math.floor(v / place) % LANE) - offset;
      }
    }
    return sums;
  }

  save(path: string): void {
    const dim = 1 << this.file.features.bits;
    const header = {
      magic: MAGIC,
      name: this.file.name,
      version: this.file.version,
      features: this.file.features,
      trainedOn: this.file.trainedOn,
      heads: [] as (HeadSpec & { bias: number[]; threshold?: number; scales: number[]; language?: string })[],
    };
    const rows: Buffer[] = [];
    for (const h of this.file.heads) {
      const { scales, q } = quantise(h, dim);
      header.heads.push({ name: h.name, labels: h.labels, kind: h.kind, bias: Array.from(h.bias), threshold: h.threshold, scales, language: h.language });
      rows.push(Buffer.from(q.buffer, q.byteOffset, q.byteLength));
    }
    const json = Buffer.from(JSON.stringify(header));
    const parts: Buffer[] = [Buffer.from(MAGIC), Buffer.alloc(4), json, ...rows];
    parts[1]!.writeUInt32LE(json.length);
    writeFileSync(path, Buffer.concat(parts));
  }

  static load(path: string): LinearModel {
    const buf = readFileSync(path);
    if (buf.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error(`${path} is not an Earshot linear model (bad magic)`);
    const len = buf.readUInt32LE(MAGIC.length);
    const header = JSON.parse(buf.toString('utf8', MAGIC.length + 4, MAGIC.length + 4 + len)) as {
      name: string;
      version: string;
      features: FeatureOptions;
      trainedOn: Record<string, unknown>;
      heads: (HeadSpec & { bias: number[]; threshold?: number; scales: number[]; language?: string })[];
    };
    const dim = 1 << header.features.bits;
    let offset = MAGIC.length + 4 + len;
    const heads: Head[] = header.heads.map((h) => {
      const rows = h.kind === 'softmax' ? h.labels.length : 1;
      const weights = new Float32Array(rows * dim);
      const bytes = new Int8Array(buf.buffer, buf.byteOffset + offset, rows * dim);
      for (let r = 0; r < rows; r++) {
        const s = h.scales[r]!;
        for (let i = 0; i < dim; i++) weights[r * dim + i] = bytes[r * dim + i]! * s;
      }
      offset += rows * dim;
      return {
        name: h.name,
        labels: h.labels,
        kind: h.kind,
        bias: Float32Array.from(h.bias),
        threshold: h.threshold,
        weights,
        ...(h.language ? { language: h.language } : {}),
      };
    });
    if (offset !== buf.length) throw new Error(`${path} is truncated or corrupt (${buf.length - offset} bytes unaccounted for)`);
    return new LinearModel({ name: header.name, version: header.version, features: header.features, heads, trainedOn: header.trainedOn });
  }
}
