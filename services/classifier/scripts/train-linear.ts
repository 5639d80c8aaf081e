import { featurize, type FeatureOptions } from '../src/linear/features.js';
import { trainHead, trainWithResiduals, DEFAULT_TRAIN, type Example, type TrainOptions } from '../src/linear/trainer.js';
import { LinearModel, type Head } from '../src/linear/model.js';
import { HEADS, type HeadName } from '../src/linear/heads.js';
import { readTextLabels, type Labelled } from './datasets.js';
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
  /**
   * Sentiment residuals for UMSAB's languages other than English (trainWithResiduals), with
   * their own L2; the lang head picks one per text (LinearModel). Absent: one shared head.
   */
  languageResiduals?: { l2: number };
  /** Weight of UMSAB's tweets in other languages than English against the English ones (default 1). */
  otherLanguagesWeight?: number;
  /**
   * UMSAB's tweets in the languages the multilingual teacher reads (LanguageTeacher) learn
   * `blend` of their gold label and the rest of its probabilities. Absent: gold labels alone.
   */
  multilingualTeacher?: { blend: number };
}

/**
 * The languages that get a sentiment residual: the lang head's, less English (the shared
 * head's own) and Hindi. The head's 'hi' is UMSAB Hindi's romanised and Indian English
 * tweets: it took a quarter of the demo's English mentions, and a Hindi residual lowered
 * Hindi in every cross-validation run (37.7 → 36.3–37.1).
 */
export const RESIDUAL_LANGUAGES = HEADS.lang.labels.filter((l) => l !== 'en' && l !== 'hi');

export const FAST_RECIPE: LinearRecipe = {
  name: 'earshot-linear-fast',
  version: '1.3.0',
  features: { bits: 17, charMin: 3, charMax: 5 },
  train: { ...DEFAULT_TRAIN, epochs: 6, learningRate: 0.5 },
  // The smaller step held up better on the shift check (58.9 → 60.9 before distillation).
  perHead: { sentiment: { learningRate: 0.2 } },
  // 5-fold CV on UMSAB train (cv-language-heads.ts), 8-language average: 51.8 without
  // residuals, 52.1–52.3 with (L2 1e-6, 1e-5, 1e-3 alike); other languages weighted 2 gave no more.
  languageResiduals: { l2: 1e-6 },
  // 5-fold CV on UMSAB train (cv-language-heads.ts), 8-language average: 52.1 on gold labels
  // alone; with the teacher (the tier's languages and Hindi) 53.3 / 53.4 / 53.5 / 53.4 / 53.6
  // with 0.7 / 0.6 / 0.5 / 0.4 / 0.3 of gold: flat, so the middle.
  multilingualTeacher: { blend: 0.5 },
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

/**
 * The multilingual encoder's sentiment probabilities for UMSAB's train tweets in its
 * languages, each from a head that did not train on that tweet (written by
 * models/multilingual/teach_fast.py): per language, in the order of its train split.
 */
export interface LanguageTeacher {
  source: string;
  languages: Record<string, number[][]>;
}

export const loadLanguageTeacher = (): LanguageTeacher =>
  JSON.parse(gunzipSync(readFileSync(join(TEACHERS, 'multilingual-teacher.json.gz'))).toString('utf8')) as LanguageTeacher;

/** The teacher's probabilities keyed by language and text (languageKey), checked against the data sets. */
export function languageTargets(teacher: LanguageTeacher): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [language, probs] of Object.entries(teacher.languages)) {
    const train = readTextLabels(`umsab/${language}`, 'train');
    if (train.length !== probs.length)
      throw new Error(
        `the multilingual teacher holds ${probs.length} ${language} tweets, UMSAB train ${train.length}: rerun teach_fast.py (services/classifier/scripts/models/multilingual/README.md)`,
      );
    train.forEach((e, i) => out.set(languageKey(language, e.text), probs[i]!));
  }
  return out;
}

const languageKey = (language: string, text: string) => `${language}\u0000${text}`;

/** How distilledSentiment treats UMSAB's tweets outside English. */
export interface OtherLanguages {
  /** Their weight against the English ones (default 1). */
  weight?: number;
  /** The multilingual teacher's targets (languageTargets) and the share of the gold label beside them. */
  teacher?: { targets: Map<string, number[]>; blend: number };
}

/**
 * UMSAB's other languages do not learn the accurate tier's English encoder, which is weaker
 * outside English: they keep their gold labels, blended with the multilingual teacher's
 * probabilities where the recipe asks for it (OtherLanguages.teacher).
 */
const UNTAUGHT_LANGUAGES = new Set(['arabic', 'french', 'german', 'hindi', 'italian', 'portuguese', 'spanish']);

/**
 * Sentiment examples distilled from the teacher: English training texts take its
 * probabilities as targets, other languages their gold labels, and the unlabelled pool
 * adds the teacher's reading of tweets on other topics. Shifted newer data scored 64.4
 * macro-recall this way against 60.9 on gold labels alone.
 */
export function distilledSentiment(labelled: Labelled[], pool: string[], teacher: Teacher, features: FeatureOptions, other: OtherLanguages = {}): Example[] {
  if (teacher.labelled.length !== labelled.length || teacher.pool.length !== pool.length) {
    throw new Error(
      `the teacher's probabilities (${teacher.labelled.length} labelled, ${teacher.pool.length} pool) do not match the corpus (${labelled.length}, ${pool.length}): rerun npm run train:classifier:accurate`,
    );
  }
  const top = (d: number[]) => d.indexOf(Math.max(...d));
  const weight = other.weight ?? 1;
  const untaught = (e: Labelled) => {
    const taught = other.teacher?.targets.get(languageKey(e.group!, e.text));
    if (!taught) return { weight };
    const blend = other.teacher!.blend;
    return { weight, soft: taught.map((p, k) => blend * (k === e.label ? 1 : 0) + (1 - blend) * p) };
  };
  return [
    ...labelled.map((e, i) => ({
      features: featurize(e.text, features),
      label: e.label,
      ...(UNTAUGHT_LANGUAGES.has(e.group ?? '') ? untaught(e) : { soft: teacher.labelled[i]! }),
    })),
    ...pool.map((text, i) => ({ features: featurize(text, features), label: top(teacher.pool[i]!), soft: teacher.pool[i]! })),
  ];
}

/**
 * Each example's residual (its group) as the shipped model will pick it: by the language the
 * lang head gives the text (LinearModel.gatedLanguage), not its data set's language, so a
 * Hindi data set's English tweet trains the shared head it will be read with.
 */
export function withLanguageGroups(ex: Example[], lang: Head, features: FeatureOptions): Example[] {
  const model = new LinearModel({ name: 'gate', version: '0', features, heads: [lang], trainedOn: {} });
  return ex.map((e) => {
    const g = RESIDUAL_LANGUAGES.indexOf(model.gatedLanguage(model.predictFeatures(e.features).lang) as (typeof RESIDUAL_LANGUAGES)[number]);
    return g < 0 ? e : { ...e, group: g };
  });
}

/**
 * The sentiment head from its examples, and with recipe.languageResiduals one residual per
 * language of RESIDUAL_LANGUAGES, learnt together with it from that language's tweets.
 */
export function sentimentHeads(ex: Example[], recipe: LinearRecipe): Head[] {
  if (!recipe.languageResiduals) return [trainOnExamples('sentiment', ex, recipe)];
  const opts = { ...recipe.train, ...recipe.perHead?.sentiment, dim: 1 << recipe.features.bits };
  const spec = { ...HEADS.sentiment, labels: [...HEADS.sentiment.labels] };
  const { shared, residuals } = trainWithResiduals(spec, ex, opts, { groups: RESIDUAL_LANGUAGES.length, l2: recipe.languageResiduals.l2 });
  return [shared, ...residuals.map((h, g) => ({ ...h, language: RESIDUAL_LANGUAGES[g] }))];
}

/** The recipe's treatment of UMSAB's other languages, with the multilingual teacher it asks for. */
export function otherLanguages(recipe: LinearRecipe, languageTeacher?: LanguageTeacher): OtherLanguages {
  if (recipe.multilingualTeacher && !languageTeacher) throw new Error(`${recipe.name} learns from the multilingual teacher: pass loadLanguageTeacher()`);
  return {
    weight: recipe.otherLanguagesWeight,
    ...(recipe.multilingualTeacher && languageTeacher
      ? { teacher: { targets: languageTargets(languageTeacher), blend: recipe.multilingualTeacher.blend } }
      : {}),
  };
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
  scaleLogits(head, t);
  return t;
}

/** Divides a head's weights and bias, so its logits, by t, in place. */
function scaleLogits(head: Head, t: number): void {
  for (let i = 0; i < head.weights.length; i++) head.weights[i] = head.weights[i]! / t;
  for (let i = 0; i < head.bias.length; i++) head.bias[i] = head.bias[i]! / t;
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
export function trainLinearModel(
  corpus: Corpus,
  recipe: LinearRecipe,
  log: (s: string) => void = () => undefined,
  teacher?: Teacher,
  languageTeacher?: LanguageTeacher,
): LinearModel {
  const heads: Head[] = [];
  const sets = linearTrainingSets(corpus);
  // The lang head first: it picks each sentiment example's language residual.
  const langStart = Date.now();
  const lang = trainOne('lang', sets.lang, recipe);
  const langMs = Date.now() - langStart;
  for (const name of Object.keys(sets) as HeadName[]) {
    const t0 = Date.now() - (name === 'lang' ? langMs : 0);
    if (name === 'sentiment') {
      const ex = teacher
        ? distilledSentiment(sets.sentiment, distillationPool(corpus), teacher, recipe.features, otherLanguages(recipe, languageTeacher))
        : examples(sets.sentiment, recipe.features);
      heads.push(...sentimentHeads(recipe.languageResiduals ? withLanguageGroups(ex, lang, recipe.features) : ex, recipe));
    } else heads.push(name === 'lang' ? lang : trainOne(name, sets[name], recipe));
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
    if (!val || head.language) continue;
    const t = calibrateOnVal(head, val, recipe.features);
    // A residual's logits add to its head's: the same temperature keeps their sum's argmax.
    for (const r of heads.filter((h) => h.name === head.name && h.language)) scaleLogits(r, t);
    log(`  ${head.name.padEnd(9)} temperature ${t.toFixed(2)} (fitted on val)`);
  }
  return new LinearModel({
    name: recipe.name,
    version: recipe.version,
    features: recipe.features,
    heads,
    trainedOn: {
      ...Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, v.length])),
      ...(recipe.multilingualTeacher && languageTeacher
        ? { multilingualTeacher: { source: languageTeacher.source, blend: recipe.multilingualTeacher.blend } }
        : {}),
    },
  });
}
