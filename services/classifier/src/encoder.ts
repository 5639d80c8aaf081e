import { env, pipeline, type FeatureExtractionPipeline } from '@huggingface/transformers';

export interface EncoderOptions {
  /** A Hugging Face model id or a local folder holding config.json, tokenizer files and onnx/model*.onnx. */
  model: string;
  /** Never download: load strictly from disk. */
  offline: boolean;
  /** Where downloaded models are cached (when not offline). */
  cacheDir?: string;
  /** 'q8' loads onnx/model_quantized.onnx (int8, about twice as fast on CPU), 'fp32' onnx/model.onnx. */
  dtype: 'q8' | 'fp32';
  /** ONNX Runtime intra-op threads. */
  threads: number;
  /** Texts per forward pass. */
  batchSize: number;
  normalize?: boolean;
  /** Put before every prepared text (an e5 encoder's "query: "). */
  prefix?: string;
}

/** Texts are cut before tokenising: the encoder's cost grows with length; a post's opening carries it. */
const MAX_CHARS = 600;
export const prepare = (text: string) =>
  text.trim() === ''
    ? '.'
    : text
        .slice(0, MAX_CHARS)
        .replace(/https?:\/\/\S+/g, 'http')
        .replace(/@\w+/g, '@user');

/**
 * Loads a transformers.js pipeline once: from a local folder or a Hugging Face id,
 * strictly from disk when offline, on a bounded number of ONNX Runtime threads.
 */
export async function loadPipeline(task: 'feature-extraction' | 'text-classification', opts: Omit<EncoderOptions, 'batchSize'>) {
  env.allowRemoteModels = !opts.offline;
  env.allowLocalModels = true;
  env.localModelPath = '';
  if (opts.cacheDir) env.cacheDir = opts.cacheDir;
  try {
    return await pipeline(task, opts.model, {
      dtype: opts.dtype,
      local_files_only: opts.offline,
      session_options: { intraOpNumThreads: opts.threads, interOpNumThreads: 1 },
    });
  } catch (err) {
    const hint = opts.offline
      ? ` (offline: it must be a local folder with config.json, tokenizer.json and onnx/model${opts.dtype === 'q8' ? '_quantized' : ''}.onnx; \`npm run models:build\` makes the default one)`
      : '';
    throw new Error(`cannot load the ${task} model "${opts.model}"${hint}: ${(err as Error).message}`);
  }
}

/** A sentence encoder on transformers.js: loaded once, batched, thread-bounded, disposable. */
export class TransformersEncoder {
  private constructor(
    private readonly extractor: FeatureExtractionPipeline,
    readonly dims: number,
    private readonly opts: EncoderOptions,
  ) {}

  static async load(opts: EncoderOptions): Promise<TransformersEncoder> {
    const extractor = (await loadPipeline('feature-extraction', opts)) as FeatureExtractionPipeline;
    const probe = await extractor(['probe'], { pooling: 'mean', normalize: opts.normalize ?? true });
    return new TransformersEncoder(extractor, probe.dims.at(-1)!, opts);
  }

  /**
   * Mean-pooled (normalised) sentence embeddings, in the order given. Texts are batched
   * by token count, so a batch pads to a similar length rather than to its longest post:
   * the encoder's cost is the padded length. Counting tokens costs about 3% of encoding
   * and pads a quarter less than batching by characters (val tweets: 15,760 padded tokens
   * for 15,050 real, against 21,008).
   */
  async embed(texts: string[], onProgress?: (done: number) => void): Promise<Float32Array[]> {
    const prepared = texts.map((t) => (this.opts.prefix ?? '') + prepare(t));
    const tokens = prepared.map((t) => this.extractor.tokenizer.encode(t).length);
    const order = prepared.map((_, i) => i).sort((a, b) => tokens[a]! - tokens[b]! || a - b);
    const out = new Array<Float32Array>(texts.length);
    for (let i = 0; i < order.length; i += this.opts.batchSize) {
      const idx = order.slice(i, i + this.opts.batchSize);
      const t = await this.extractor(
        idx.map((k) => prepared[k]!),
        { pooling: 'mean', normalize: this.opts.normalize ?? true },
      );
      const data = t.data as Float32Array;
      idx.forEach((k, j) => (out[k] = data.slice(j * this.dims, (j + 1) * this.dims)));
      onProgress?.(Math.min(texts.length, i + idx.length));
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.extractor.dispose();
  }
}
