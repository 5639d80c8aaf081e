import { featurize, type FeatureOptions } from '../src/linear/features.js';
import { trainHead, DEFAULT_TRAIN, type Example, type TrainOptions } from '../src/linear/trainer.js';
import { LinearModel, type Head } from '../src/linear/model.js';
import { HEADS, type HeadName } from '../src/linear/heads.js';
import type { Labelled } from './datasets.js';
import type { loadCorpus } from './corpus.js';

export type Corpus = ReturnType<typeof loadCorpus>;

export interface LinearRecipe {
  name: string;
  version: string;
  features: FeatureOptions;
  train: Omit<TrainOptions, 'dim'>;
  /** Per-head overrides of the training options. */
  perHead?: Partial<Record<HeadName, Partial<Omit<TrainOptions, 'dim'>>>>;
}

export const FAST_RECIPE: LinearRecipe = {
  name: 'earshot-linear-fast',
  version: '1.0.0',
  features: { bits: 17, charMin: 3, charMax: 5 },
  train: { ...DEFAULT_TRAIN, epochs: 6, learningRate: 0.5 },
};

export function examples(set: Labelled[], features: FeatureOptions): Example[] {
  return set.map((e) => ({ features: featurize(e.text, features), label: e.label }));
}

export function trainOne(name: HeadName, set: Labelled[], recipe: LinearRecipe): Head {
  const opts = { ...recipe.train, ...recipe.perHead?.[name], dim: 1 << recipe.features.bits };
  return trainHead({ ...HEADS[name], labels: [...HEADS[name].labels] }, examples(set, recipe.features), opts);
}

/** Trains every head on its training set; progress on stderr. */
export function trainLinearModel(corpus: Corpus, recipe: LinearRecipe, log: (s: string) => void = () => undefined): LinearModel {
  const heads: Head[] = [];
  const sets: Record<HeadName, Labelled[]> = {
    sentiment: corpus.train.sentiment,
    emotion: corpus.train.emotion,
    offensive: corpus.train.offensive,
    hate: corpus.train.hate,
    complaint: corpus.train.complaint,
    lang: corpus.train.lang,
  };
  for (const name of Object.keys(sets) as HeadName[]) {
    const t0 = Date.now();
    heads.push(trainOne(name, sets[name], recipe));
    log(`  trained ${name.padEnd(9)} on ${sets[name].length.toLocaleString('en-US').padStart(6)} examples in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  return new LinearModel({
    name: recipe.name,
    version: recipe.version,
    features: recipe.features,
    heads,
    trainedOn: Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v.length])),
  });
}
