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

/**
 * Hashed-feature linear heads sharing one featurisation. Saved as a small binary:
 * a JSON header, then each head's weights as int8 with a per-row scale (4× smaller
 * than float32, within a fraction of a point on every benchmark).
 */
export class LinearModel {
  /** All heads' rows, feature-major ([feature][row]) as int8: one cache line per feature, not one per row. */
  private readonly packed: Int8Array;
  private readonly scales: Float64Array;
  private readonly rows: number;

  constructor(readonly file: LinearModelFile) {
    const dim = 1 << file.features.bits;
    const rowsOf = (h: Head) => (h.kind === 'softmax' ? h.labels.length : 1);
    this.rows = file.heads.reduce((n, h) => n + rowsOf(h), 0);
    this.packed = new Int8Array(dim * this.rows);
    this.scales = new Float64Array(this.rows);
    let row = 0;
    for (const h of file.heads) {
      for (let r = 0; r < rowsOf(h); r++, row++) {
        let max = 0;
        for (let i = 0; i < dim; i++) max = Math.max(max, Math.abs(h.weights[r * dim + i]!));
        const scale = max / 127 || 1;
        this.scales[row] = scale;
        for (let i = 0; i < dim; i++) this.packed[i * this.rows + row] = Math.round(h.weights[r * dim + i]! / scale);
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
    const R = this.rows;
    const packed = this.packed;
    const sums = new Int32Array(R);
    for (let i = 0; i < features.length; i++) {
      const base = features[i]! * R;
      for (let r = 0; r < R; r++) sums[r] = sums[r]! + packed[base + r]!;
    }
    let row = 0;
    for (const h of this.file.heads) {
      const rows = h.kind === 'softmax' ? h.labels.length : 1;
      const logits = new Float64Array(rows);
      for (let r = 0; r < rows; r++, row++) logits[r] = sums[row]! * this.scales[row]! * norm + h.bias[r]!;
      const probs: Record<string, number> = {};
      if (h.kind === 'sigmoid') probs[h.labels[0]!] = 1 / (1 + Math.exp(-logits[0]!));
      else {
        let max = -Infinity;
        for (const l of logits) max = Math.max(max, l);
        let sum = 0;
        const e = Array.from(logits, (l) => Math.exp(l - max));
        for (const x of e) sum += x;
        h.labels.forEach((label, i) => (probs[label] = e[i]! / sum));
      }
      out[h.name] = probs;
    }
    return out;
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
