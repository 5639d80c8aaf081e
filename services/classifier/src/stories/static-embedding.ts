import { readFileSync } from 'node:fs';
import { basicTokens, wordPieces, type WordPieces } from './wordpiece.js';

/**
 * A static sentence embedding distilled from the base encoder (model2vec method, made by
 * scripts/models/distill_static.py): a text is the normalised sum of its WordPiece
 * tokens' rows, each row already weighted by the token's rarity. No transformer runs,
 * so it costs a few microseconds a mention.
 */
export class StaticEmbedding {
  /** Per word, its summed rows: words repeat far more than they are new. */
  private readonly wordCache = new Map<string, Float32Array | null>();
  private readonly pieces: WordPieces;

  constructor(
    readonly dims: number,
    private readonly rows: Float32Array,
    vocab: readonly string[],
    private readonly maxCachedWords = 200_000,
  ) {
    this.pieces = wordPieces(new Map(vocab.map((t, i) => [t, i])));
  }

  /** Reads the distilled file: u32 header length, header JSON, f32 row scales, int8 rows. */
  static load(path: string): StaticEmbedding {
    const buf = readFileSync(path);
    const headerLen = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + headerLen).toString('utf8')) as { dims: number; rows: number; vocab: string[] };
    const { dims, rows, vocab } = header;
    if (vocab.length !== rows) throw new Error(`static embedding ${path}: ${vocab.length} tokens for ${rows} rows`);
    const scalesAt = 4 + headerLen;
    const rowsAt = scalesAt + rows * 4;
    if (buf.length !== rowsAt + rows * dims) throw new Error(`static embedding ${path}: truncated or wrong size`);
    const out = new Float32Array(rows * dims);
    for (let r = 0; r < rows; r++) {
      const scale = buf.readFloatLE(scalesAt + r * 4);
      for (let d = 0; d < dims; d++) out[r * dims + d] = buf.readInt8(rowsAt + r * dims + d) * scale;
    }
    return new StaticEmbedding(dims, out, vocab);
  }

  private word(w: string): Float32Array | null {
    let v = this.wordCache.get(w);
    if (v !== undefined) return v;
    const ids = this.pieces(w);
    if (ids.length === 0) v = null;
    else {
      v = new Float32Array(this.dims);
      for (const id of ids) {
        const off = id * this.dims;
        for (let d = 0; d < this.dims; d++) v[d]! += this.rows[off + d]!;
      }
    }
    if (this.wordCache.size >= this.maxCachedWords) this.wordCache.clear();
    this.wordCache.set(w, v);
    return v;
  }

  /** The unit-length embedding of a text; all zeros when no token is known. */
  embed(text: string): Float32Array {
    const out = new Float32Array(this.dims);
    for (const w of basicTokens(text)) {
      const v = this.word(w);
      if (v) for (let d = 0; d < this.dims; d++) out[d]! += v[d]!;
    }
    let n = 0;
    for (let d = 0; d < this.dims; d++) n += out[d]! * out[d]!;
    if (n > 0) {
      const inv = 1 / Math.sqrt(n);
      for (let d = 0; d < this.dims; d++) out[d]! *= inv;
    }
    return out;
  }
}
