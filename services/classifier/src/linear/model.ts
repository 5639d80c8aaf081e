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

  constructor(readonly file: LinearModelFile) {
    const dim = 1 << file.features.bits;
    const rowsOf = (h: Head) => (h.kind === 'softmax' ? h.labels.length : 1);
    this.rows = file.heads.reduce((n, h) => n + rowsOf(h), 0);
    this.slots = GROUP * Math.ceil(this.rows / LANES / GROUP);
    this.packed = new Float64Array(dim * this.slots);
    this.scales = new Float64Array(this.rows);
    this.sums = new Float64Array(this.rows);
    this.acc = new Float64Array(this.slots);
    this.logits = new Float64Array(Math.max(1, ...file.heads.map(rowsOf)));
    let row = 0;
    for (const h of file.heads) {
      for (let r = 0; r < rowsOf(h); r++, row++) {
        let max = 0;
        for (let i = 0; i < dim; i++) max = Math.max(max, Math.abs(h.weights[r * dim + i]!));
        const scale = max / 127 || 1;
        this.scales[row] = scale;
        const slot = Math.floor(row / LANES);
        const place = LANE ** (row % LANES);
        for (let i = 0; i < dim; i++) {
          const k = i * this.slots + slot;
          this.packed[k] = this.packed[k]! + (Math.round(h.weights[r * dim + i]! / scale) + 128) * place;
        }
      }
    }
  }

  get name() {
    return this.file.name;
  }
  get version() {
    return this.file.version;
  }

  head(name: string): Head {
    const h = this.file.heads.find((x) => x.name === name);
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
    for (const h of this.file.heads) {
      const rows = h.kind === 'softmax' ? h.labels.length : 1;
      for (let r = 0; r < rows; r++, row++) logits[r] = sums[row]! * this.scales[row]! * norm + h.bias[r]!;
      const probs: Record<string, number> = {};
      if (h.kind === 'sigmoid') probs[h.labels[0]!] = 1 / (1 + Math.exp(-logits[0]!));
      else {
        let max = -Infinity;
        for (let r = 0; r < rows; r++) max = Math.max(max, logits[r]!);
        let sum = 0;
        for (let r = 0; r < rows; r++) sum += logits[r] = Math.exp(logits[r]! - max);
        for (let r = 0; r < rows; r++) probs[h.labels[r]!] = logits[r]! / sum;
      }
      out[h.name] = probs;
    }
    return out;
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
      heads: this.file.heads.map((h) => {
        const rows = h.kind === 'softmax' ? h.labels.length : 1;
        const scales = Array.from({ length: rows }, (_, r) => {
          let max = 0;
          for (let i = 0; i < dim; i++) max = Math.max(max, Math.abs(h.weights[r * dim + i]!));
          return max / 127 || 1;
        });
        return { name: h.name, labels: h.labels, kind: h.kind, bias: Array.from(h.bias), threshold: h.threshold, scales };
      }),
    };
    const json = Buffer.from(JSON.stringify(header));
    const parts: Buffer[] = [Buffer.from(MAGIC), Buffer.alloc(4), json];
    parts[1]!.writeUInt32LE(json.length);
    this.file.heads.forEach((h, hi) => {
      const rows = h.kind === 'softmax' ? h.labels.length : 1;
      const q = Buffer.alloc(rows * dim);
      for (let r = 0; r < rows; r++) {
        const scale = header.heads[hi]!.scales[r]!;
        for (let i = 0; i < dim; i++) q.writeInt8(Math.max(-127, Math.min(127, Math.round(h.weights[r * dim + i]! / scale))), r * dim + i);
      }
      parts.push(q);
    });
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
      heads: (HeadSpec & { bias: number[]; threshold?: number; scales: number[] })[];
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
      return { name: h.name, labels: h.labels, kind: h.kind, bias: Float32Array.from(h.bias), threshold: h.threshold, weights };
    });
    if (offset !== buf.length) throw new Error(`${path} is truncated or corrupt (${buf.length - offset} bytes unaccounted for)`);
    return new LinearModel({ name: header.name, version: header.version, features: header.features, heads, trainedOn: header.trainedOn });
  }
}
