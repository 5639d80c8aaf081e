import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { LinearModel } from '../src/linear/model.js';
import { HEADS } from '../src/linear/heads.js';
import { macroF1, macroRecall, positiveF1 } from '../src/linear/metrics.js';
import { UMSAB_CODES, UMSAB_LANGUAGES, type Labelled } from './datasets.js';
import { calibrateOnVal, linearTrainingSets, trainOne, type Corpus, type LinearRecipe } from './train-linear.js';
import { brandDomains, isBrandRow } from './complaint-calibration.js';
import { DenseHeads } from '../src/dense/heads.js';
import type { HeadSpec } from '../src/linear/model.js';
import { DEFAULT_LINEAR_MODEL } from '../src/linear-classifier.js';
import { ACCURATE_ENSEMBLE_WEIGHT, DEFAULT_ENCODER, DEFAULT_HEADS } from '../src/create-classifier.js';
import { TransformersClassifier, type TransformersOptions } from '../src/transformers-classifier.js';

/**
 * The shipped accurate tier as eval:classifier measures it (int8, 2 threads, batches of 32);
 * calibrate-mix.ts fits on the same, since int8 batching moves probabilities slightly.
 */
export function loadMeasuredAccurateTier(extra: Partial<TransformersOptions> = {}): Promise<TransformersClassifier> {
  const heads = DenseHeads.load(DEFAULT_HEADS);
  return TransformersClassifier.load({
    model: DEFAULT_ENCODER,
    offline: true,
    dtype: 'q8',
    threads: 2,
    batchSize: 32,
    normalize: heads.file.encoder.normalize,
    headsPath: DEFAULT_HEADS,
    linearPath: DEFAULT_LINEAR_MODEL,
    weight: ACCURATE_ENSEMBLE_WEIGHT,
    ...extra,
  });
}

export interface Scores {
  tweeteval_sentiment_macro_recall: number;
  /** Expected calibration error (top-label confidence, 15 bins) per head on its val set, in points. */
  ece: Record<string, number>;
  /** Share of val texts each yes/no head calls positive, and the true share. */
  positive_rate: Record<string, { predicted: number; truth: number }>;
  emotion_macro_f1: number;
  offensive_macro_f1: number;
  hate_macro_f1: number;
  umsab_macro_f1: Record<string, number>;
  complaint_f1_domain_cv: number;
  /** Share of TweetEval's sentiment val tweets (topic tweets, not addressed to brands; no complaint labels) called complaints. */
  complaint_rate_general: number;
  /** Share of dev.csv's tweets to brands called hateful, each brand domain held out (hateOnBrandTweetsCv). */
  hate_rate_brand_tweets: number;
}

/** The figures that need their own held-out training runs (complaintDomainCv, hateOnBrandTweetsCv). */
export interface HeldOutChecks {
  complaint: () => Promise<number>;
  hateOnBrandTweets: () => Promise<number>;
}

/** Each benchmark's own metric on its val split, given a function from texts to head probabilities. */
export async function evaluate(
  predict: (texts: string[]) => Promise<Record<string, Record<string, number>>[]>,
  corpus: Corpus,
  heldOut: HeldOutChecks,
): Promise<Scores> {
  const ece: Record<string, number> = {};
  const positiveRate: Record<string, { predicted: number; truth: number }> = {};
  let complaintRateGeneral = NaN;
  type Probs = Awaited<ReturnType<typeof predict>>;
  const run = async (
    set: Labelled[],
    head: keyof typeof HEADS,
    metric: (g: number[], p: number[]) => number,
    record = true,
    inspect?: (probs: Probs) => void,
  ) => {
    const probs = await predict(set.map((e) => e.text));
    inspect?.(probs);
    const spec = HEADS[head];
    const gold = set.map((e) => e.label);
    const dist = probs.map((p) => classDistribution(spec, p[head]!));
    const pred = dist.map((d) => d.indexOf(Math.max(...d)));
    if (record) {
      ece[head] = 100 * expectedCalibrationError(dist, gold);
      if (spec.kind === 'sigmoid')
        positiveRate[head] = {
          predicted: (100 * pred.filter((p) => p === 1).length) / pred.length,
          truth: (100 * gold.filter((g) => g === 1).length) / gold.length,
        };
    }
    return 100 * metric(gold, pred);
  };
  const umsab: Record<string, number> = {};
  for (const lang of UMSAB_LANGUAGES) umsab[lang] = await run(corpus.val.umsab[lang], 'sentiment', (g, p) => macroF1(g, p, 3), false);
  return {
    // The same topic tweets, read for complaints: none is addressed to a brand.
    tweeteval_sentiment_macro_recall: await run(
      corpus.val.sentiment,
      'sentiment',
      (g, p) => macroRecall(g, p, 3),
      true,
      (probs) => {
        complaintRateGeneral = (100 * probs.filter((p) => (p.complaint?.complaint ?? 0) >= 0.5).length) / probs.length;
      },
    ),
    ece,
    positive_rate: positiveRate,
    emotion_macro_f1: await run(corpus.val.emotion, 'emotion', (g, p) => macroF1(g, p, 4)),
    offensive_macro_f1: await run(corpus.val.offensive, 'offensive', (g, p) => macroF1(g, p, 2)),
    hate_macro_f1: await run(corpus.val.hate, 'hate', (g, p) => macroF1(g, p, 2)),
    umsab_macro_f1: umsab,
    complaint_f1_domain_cv: await heldOut.complaint(),
    complaint_rate_general: complaintRateGeneral,
    hate_rate_brand_tweets: await heldOut.hateOnBrandTweets(),
  };
}

/** A head's probabilities in label-index order; a yes/no head as [no, yes]. */
export function classDistribution(spec: HeadSpec, p: Record<string, number>): number[] {
  return spec.kind === 'sigmoid' ? [1 - p[spec.labels[0]!]!, p[spec.labels[0]!]!] : spec.labels.map((l) => p[l]!);
}

/** Expected calibration error of the top label's probability (15 equal-width bins). */
export function expectedCalibrationError(dist: number[][], gold: number[], bins = 15): number {
  const sums = Array.from({ length: bins }, () => ({ n: 0, conf: 0, right: 0 }));
  dist.forEach((d, i) => {
    const top = d.indexOf(Math.max(...d));
    const b = sums[Math.min(bins - 1, Math.floor(d[top]! * bins))]!;
    b.n++;
    b.conf += d[top]!;
    b.right += Number(top === gold[i]);
  });
  return sums.reduce((e, b) => e + (b.n ? (b.n / dist.length) * Math.abs(b.conf / b.n - b.right / b.n) : 0), 0);
}

/**
 * Complaint F1 with brand domains held out: for each domain of dev.csv, train the
 * complaint head on every other row (other domains and the random tweets), predict
 * that domain; F1 of the complaint class over all held-out predictions. `predictWith`
 * is told the held-out domain, so what it mixes in can be fitted without it too.
 */
export function complaintDomainCv(
  corpus: Corpus,
  recipe: LinearRecipe,
  predictWith?: (model: LinearModel, texts: string[], heldOut: string) => Promise<number[]>,
): () => Promise<number> {
  return async () => {
    const rows = corpus.train.complaint;
    const gold: number[] = [];
    const pred: number[] = [];
    for (const domain of brandDomains(rows)) {
      const head = trainOne(
        'complaint',
        rows.filter((r) => r.group !== domain),
        recipe,
      );
      const model = new LinearModel({ name: 'cv', version: '0', features: recipe.features, heads: [head], trainedOn: {} });
      const test = rows.filter((r) => r.group === domain);
      const texts = test.map((t) => t.text);
      const p = predictWith ? await predictWith(model, texts, domain) : texts.map((t) => model.predict(t).complaint!.complaint!);
      test.forEach((t, i) => {
        gold.push(t.label);
        pred.push(Number(p[i]! >= 0.5));
      });
    }
    return 100 * positiveF1(gold, pred);
  };
}

/**
 * Share of dev.csv's tweets to brands the hate head calls hateful. The fast tier's hate
 * head learns these tweets as ordinary negatives (ordinaryTweets), so each brand domain is
 * scored by a head trained on its shipped set less that domain's tweets, calibrated on val.
 * `predictWith` mixes another tier in, as complaintDomainCv's does.
 */
export function hateOnBrandTweetsCv(
  corpus: Corpus,
  recipe: LinearRecipe,
  predictWith?: (model: LinearModel, texts: string[]) => Promise<number[]>,
): () => Promise<number> {
  return async () => {
    const hate = linearTrainingSets(corpus).hate;
    let called = 0;
    let total = 0;
    for (const domain of brandDomains(corpus.train.complaint)) {
      const texts = corpus.train.complaint.filter((r) => r.group === domain).map((r) => r.text);
      const scored = new Set(texts);
      const head = trainOne(
        'hate',
        hate.filter((e) => !scored.has(e.text)),
        recipe,
      );
      calibrateOnVal(head, corpus.val.hate, recipe.features);
      const model = new LinearModel({ name: 'cv', version: '0', features: recipe.features, heads: [head], trainedOn: {} });
      const p = predictWith ? await predictWith(model, texts) : texts.map((x) => model.predict(x).hate!.hateful!);
      called += p.filter((x) => x >= 0.5).length;
      total += texts.length;
    }
    return (100 * called) / total;
  };
}

/**
 * Share of each set's tweets detected as the language they are in: UMSAB's val split per
 * language, and two English sets closer to what Earshot hears (dev.csv's tweets to brands,
 * TweetEval's sentiment val tweets), in points.
 */
export function languageDetection(corpus: Corpus, detect: (text: string) => string): { set: string; lang: string; n: number; share: number }[] {
  const sets: [string, string, string[]][] = [
    ...UMSAB_LANGUAGES.map((l) => [`UMSAB ${l}, val`, UMSAB_CODES[l], corpus.val.umsab[l].map((e) => e.text)] as [string, string, string[]]),
    ['tweets to brands (complaints dev.csv)', 'en', corpus.train.complaint.filter(isBrandRow).map((r) => r.text)],
    ['TweetEval sentiment, val', 'en', corpus.val.sentiment.map((e) => e.text)],
  ];
  return sets.map(([set, lang, texts]) => ({ set, lang, n: texts.length, share: (100 * texts.filter((t) => detect(t) === lang).length) / texts.length }));
}

export const RULE_INTENTS = ['question', 'praise', 'purchase_intent', 'churn_risk', 'feature_request', 'spam'] as const;

/** Precision and recall of each rule-based intent on the labelled intent set, in points. */
export async function intentScores(
  set: { text: string; intents: string[] }[],
  classify: (texts: string[]) => Promise<{ intents: { label: string }[] }[]>,
): Promise<Record<string, { precision: number; recall: number; support: number }>> {
  const out = await classify(set.map((e) => e.text));
  return Object.fromEntries(
    RULE_INTENTS.map((intent) => {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      set.forEach((e, i) => {
        const gold = e.intents.includes(intent);
        const said = out[i]!.intents.some((x) => x.label === intent);
        if (gold && said) tp++;
        else if (said) fp++;
        else if (gold) fn++;
      });
      return [intent, { precision: tp + fp ? (100 * tp) / (tp + fp) : 0, recall: tp + fn ? (100 * tp) / (tp + fn) : 0, support: tp + fn }];
    }),
  );
}

/**
 * The accurate tier's held-out complaint probabilities, written by its training
 * (finetune_complaint.py: each brand domain scored by a run that left it out), by text.
 * Refuses a file made from other rows, so a changed dev.csv cannot be scored silently.
 */
export function readHeldOutComplaints(path: string, rows: Labelled[]): Map<string, number> {
  const file = JSON.parse(readFileSync(path, 'utf8')) as { rows: number; texts_sha256: string; probability: (number | null)[] };
  const digest = createHash('sha256')
    .update(rows.map((r) => r.text).join('\n'), 'utf8')
    .digest('hex');
  if (file.rows !== rows.length || file.texts_sha256 !== digest)
    throw new Error(`${path} was made from other complaint rows than ../shared/datasets/complaints/dev.csv has now: run npm run train:classifier:complaint`);
  const out = new Map<string, number>();
  rows.forEach((r, i) => {
    const p = file.probability[i];
    if (p !== null && p !== undefined) out.set(r.text, p);
  });
  return out;
}
