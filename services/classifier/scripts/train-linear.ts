import { featurize, type FeatureOptions } from '../src/linear/features.js';
import { trainHead, DEFAULT_TRAIN, type Example, type TrainOptions } from '../src/linear/trainer.js';
import { LinearModel, type Head } from '../src/linear/model.js';
import { HEADS, type HeadName } from '../src/linear/heads.js';
import type { Labelled } from './datasets.js';
import { bestTemperature, logitRow } from './temperature.js';
import { distillationPool, ordinaryTweets, type loadCorpus } from './corpus.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

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
  version: '1.1.0',
  features: { bits: 17, charMin: 3, charMax: 5 },
  train: { ...DEFAULT_TRAIN, epochs: 6, learningRate: 0.5 },
  // The smaller step held up better on the shift check (58.9 → 60.9 before distillation).
  perHead: { sentiment: { learningRate: 0.2 } },
};

/**
 * The accurate tier's sentiment probabilities (written by its training, finetune.py
 * --teach): `labelled` for each sentiment training text in corpus order, `pool` for
 * each text of distillationPool(). The fast tier learns them as soft targets.
 */
export interface Teacher {
  labelled: number[][];
  pool: number[][];
}

const TEACHERS = join(dirname(fileURLToPath(import.meta.url)), '../models/teacher');
export const loadTeacher = (name: 'teacher' | 'shift-teacher'): Teacher =>
  JSON.parse(gunzipSync(readFileSync(join(TEACHERS, `${name}.json.gz`))).toString('utf8')) as Teacher;

/** UMSAB's other languages keep their own labels: the teacher is weaker outside English. */
const UNTAUGHT_LANGUAGES = new Set(['arabic', 'french', 'german', 'hindi', 'italian', 'portuguese', 'spanish']);

/**
 * Sentiment examples distilled from the teacher: English training texts take its
 * probabilities as targets, other languages their gold labels, and the unlabelled pool
 * adds the teacher's reading of tweets on other topics. Shifted newer data scored 64.4
 * macro-recall this way against 60.9 on gold labels alone.
 */
export function distilledSentiment(labelled: Labelled[], pool: string[], teacher: Teacher, features: FeatureOptions): Example[] {
  if (teacher.labelled.length !== labelled.length || teacher.pool.length !== pool.length) {
    throw new Error(
      `the teacher's probabilities (${teacher.labelled.length} labelled, ${teacher.pool.length} pool) do not match the corpus (${labelled.length}, ${pool.length}): rerun npm run train:classifier:accurate`,
    );
  }
  const top = (d: number[]) => d.indexOf(Math.max(...d));
  return [
    ...labelled.map((e, i) => ({
      features: featurize(e.text, features),
      label: e.label,
      ...(UNTAUGHT_LANGUAGES.has(e.group ?? '') ? {} : { soft: teacher.labelled[i]! }),
    })),
    ...pool.map((text, i) => ({ features: featurize(text, features), label: top(teacher.pool[i]!), soft: teacher.pool[i]! })),
  ];
}

export function examples(set: Labelled[], features: FeatureOptions): Example[] {
  return set.map((e) => ({ features: featurize(e.text, features), label: e.label }));
}

export function trainOne(name: HeadName, set: Labelled[], recipe: LinearRecipe): Head {
  return trainOnExamples(name, examples(set, recipe.features), recipe);
}

/** trainOne on examples already featurised (e.g. with a teacher's soft targets). */
export function trainOnExamples(name: HeadName, ex: Example[], recipe: LinearRecipe): Head {
  const opts = { ...recipe.train, ...recipe.perHead?.[name], dim: 1 << recipe.features.bits };
  return trainHead({ ...HEADS[name], labels: [...HEADS[name].labels] }, ex, opts);
}

/** The temperature that minimises the head's log-loss on val (bestTemperature). */
export function fitTemperature(head: Head, val: Labelled[], features: FeatureOptions): number {
  const model = new LinearModel({ name: 'calibration', version: '0', features, heads: [head], trainedOn: {} });
  const logits = val.map((e) => logitRow(head, model.predict(e.text)[head.name]!));
  return bestTemperature(
    logits,
    val.map((e) => e.label),
  );
}

/** Divides the head's logits by the temperature fitted on val (fitTemperature), in place; returns it. */
export function calibrateOnVal(head: Head, val: Labelled[], features: FeatureOptions): number {
  const t = fitTemperature(head, val, features);
  for (let i = 0; i < head.weights.length; i++) head.weights[i] = head.weights[i]! / t;
  for (let i = 0; i < head.bias.length; i++) head.bias[i] = head.bias[i]! / t;
  return t;
}

/** Each head's training set in the fast tier (sentiment before distillation). */
export function linearTrainingSets(corpus: Corpus): Record<HeadName, Labelled[]> {
  return {
    sentiment: corpus.train.sentiment,
    emotion: corpus.train.emotion,
    offensive: corpus.train.offensive,
    // Ordinary tweets as negatives too, so complaints and questions are not called hateful.
    hate: [...corpus.train.hate, ...ordinaryTweets(corpus)],
    complaint: corpus.train.complaint,
    lang: corpus.train.lang,
  };
}

/** Trains every head on its training set, calibrates those with a val set; progress on stderr. */
export function trainLinearModel(corpus: Corpus, recipe: LinearRecipe, log: (s: string) => void = () => undefined, teacher?: Teacher): LinearModel {
  const heads: Head[] = [];
  const sets = linearTrainingSets(corpus);
  for (const name of Object.keys(sets) as HeadName[]) {
    const t0 = Date.now();
    heads.push(
      name === 'sentiment' && teacher
        ? trainOnExamples(name, distilledSentiment(sets.sentiment, distillationPool(corpus), teacher, recipe.features), recipe)
        : trainOne(name, sets[name], recipe),
    );
    log(`  trained ${name.padEnd(9)} on ${sets[name].length.toLocaleString('en-US').padStart(6)} examples in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  }
  const vals: Partial<Record<HeadName, Labelled[]>> = {
    sentiment: corpus.val.sentiment,
    emotion: corpus.val.emotion,
    offensive: corpus.val.offensive,
    hate: corpus.val.hate,
  };
  for (const head of heads) {
    const val = vals[head.name as HeadName];
    if (!val) continue;
    const t = calibrateOnVal(head, val, recipe.features);
    log(`  ${head.name.padEnd(9)} temperature ${t.toFixed(2)} (fitted on val)`);
  }
  return new LinearModel({
    name: recipe.name,
    version: recipe.version,
    features: recipe.features,
    heads,
    trainedOn: Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v.length])),
  });
}
