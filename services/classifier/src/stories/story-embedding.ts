import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TransformersEncoder } from '../encoder.js';
import { StaticEmbedding } from './static-embedding.js';
import type { StoryClusterOptions } from './story-clusters.js';

export type StoryEmbeddingKind = 'encoder' | 'static';

const MODELS = join(dirname(fileURLToPath(import.meta.url)), '../../models');

/** The static embedding distilled from all-MiniLM-L6-v2 (scripts/models/distill_static.py), shipped. */
export const DEFAULT_STORY_EMBEDDING = join(MODELS, 'earshot-stories-static.bin');

/**
 * The plain base all-MiniLM-L6-v2 as ONNX, built by `npm run models:build:stories`, not shipped.
 * Not the accurate tier's fine-tuned encoder: on Banking77's tune half it scored NMI 60.4
 * against the plain one's 81.8 (tuned for sentiment and complaints, not topics).
 */
export const DEFAULT_STORY_ENCODER = join(MODELS, '.base/minilm-onnx');
export const STORY_ENCODER_HOW = 'npm run models:build:stories';

export const storyEncoderBuilt = (dir = DEFAULT_STORY_ENCODER) => existsSync(join(dir, 'onnx/model.onnx'));

/**
 * Options for the static embedding: chosen on half of Banking77's issues (the even ones in
 * alphabetical order), checked on the other half and on complaint tweets by domain.
 */
export const STATIC_STORY_OPTIONS: StoryClusterOptions = {
  join: 0.5,
  merge: 0.6,
  mergeEvery: 200,
  fadeAfter: Infinity,
  maxLive: 400,
};

/**
 * Options for the encoder, its cosines being on another scale: `join` 0.55 chosen on the
 * same tune half over 0.4-0.7 (NMI 81.8, accuracy 62.7), `merge` = join + 0.1 as before.
 */
export const ENCODER_STORY_OPTIONS: StoryClusterOptions = { ...STATIC_STORY_OPTIONS, join: 0.55, merge: 0.65 };

/** A representation for stories and the clustering options chosen for it. */
export interface StoryEmbedding {
  kind: StoryEmbeddingKind;
  /** What it is, in words, for the user. */
  describe: string;
  options: StoryClusterOptions;
  /** Embeddings in the order given; `onProgress` gets the count done so far. */
  embedAll(texts: readonly string[], onProgress?: (done: number) => void): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

export function staticStoryEmbedding(file = DEFAULT_STORY_EMBEDDING): StoryEmbedding {
  const e = StaticEmbedding.load(file);
  return {
    kind: 'static',
    describe: `static embedding (${e.dims} dims, no transformer)`,
    options: STATIC_STORY_OPTIONS,
    embedAll: async (texts, onProgress) => {
      const out = texts.map((t) => e.embed(t));
      onProgress?.(texts.length);
      return out;
    },
    dispose: async () => {},
  };
}

/** The base encoder, mean-pooled and normalised, batched on at most 4 threads. */
export async function encoderStoryEmbedding(dir = DEFAULT_STORY_ENCODER): Promise<StoryEmbedding> {
  if (!storyEncoderBuilt(dir)) throw new Error(`the stories encoder is not built in ${dir}: \`${STORY_ENCODER_HOW}\` builds it`);
  const enc = await TransformersEncoder.load({ model: dir, offline: true, dtype: 'fp32', threads: Math.min(4, availableParallelism()), batchSize: 64 });
  return {
    kind: 'encoder',
    describe: `encoder ${dir === DEFAULT_STORY_ENCODER ? 'all-MiniLM-L6-v2' : dir} (${enc.dims} dims)`,
    options: ENCODER_STORY_OPTIONS,
    embedAll: (texts, onProgress) => enc.embed([...texts], onProgress),
    dispose: () => enc.dispose(),
  };
}
