import { LinearModel } from '../src/linear/model.js';
import { HEADS } from '../src/linear/heads.js';
import { macroF1, macroRecall, positiveF1 } from '../src/linear/metrics.js';
import { UMSAB_LANGUAGES, type Labelled } from './datasets.js';
import { trainOne, type Corpus, type LinearRecipe } from './train-linear.js';

const argmax = (p: Record<string, number>, labels: readonly string[]) => labels.reduce((best, l, i) => (p[l]! > p[labels[best]!]! ? i : best), 0);

export interface Scores {
  tweeteval_sentiment_macro_recall: number;
  emotion_macro_f1: number;
  offensive_macro_f1: number;
  hate_macro_f1: number;
  umsab_macro_f1: Record<string, number>;
  complaint_f1_domain_cv: number;
}

/** Each benchmark's own metric on its val split, given a function from texts to head probabilities. */
export async function evaluate(
  predict: (texts: string[]) => Promise<Record<string, Record<string, number>>[]>,
  corpus: Corpus,
  complaintCv: () => Promise<number>,
): Promise<Scores> {
  const run = async (set: Labelled[], head: keyof typeof HEADS, metric: (g: number[], p: number[]) => number) => {
    const probs = await predict(set.map((e) => e.text));
    const spec = HEADS[head];
    const pred = probs.map((p) => (spec.kind === 'sigmoid' ? Number(p[head]![spec.labels[0]]! >= 0.5) : argmax(p[head]!, spec.labels)));
    return 100 * metric(set.map((e) => e.label), pred);
  };
  const umsab: Record<string, number> = {};
  for (const lang of UMSAB_LANGUAGES) umsab[lang] = await run(corpus.val.umsab[lang], 'sentiment', (g, p) => macroF1(g, p, 3));
  return {
    tweeteval_sentiment_macro_recall: await run(corpus.val.sentiment, 'sentiment', (g, p) => macroRecall(g, p, 3)),
    emotion_macro_f1: await run(corpus.val.emotion, 'emotion', (g, p) => macroF1(g, p, 4)),
    offensive_macro_f1: await run(corpus.val.offensive, 'offensive', (g, p) => macroF1(g, p, 2)),
    hate_macro_f1: await run(corpus.val.hate, 'hate', (g, p) => macroF1(g, p, 2)),
    umsab_macro_f1: umsab,
    complaint_f1_domain_cv: await complaintCv(),
  };
}

/**
 * Complaint F1 with brand domains held out: for each domain of dev.csv, train the
 * complaint head on every other row (other domains and the random tweets), predict
 * that domain; F1 of the complaint class over all held-out predictions.
 */
export function complaintDomainCv(corpus: Corpus, recipe: LinearRecipe, predictWith?: (model: LinearModel, texts: string[]) => Promise<number[]>): () => Promise<number> {
  return async () => {
    const rows = corpus.train.complaint;
    const domains = [...new Set(rows.map((r) => r.group!))].filter((d) => !d.startsWith('random'));
    const gold: number[] = [];
    const pred: number[] = [];
    for (const domain of domains) {
      const head = trainOne('complaint', rows.filter((r) => r.group !== domain), recipe);
      const model = new LinearModel({ name: 'cv', version: '0', features: recipe.features, heads: [head], trainedOn: {} });
      const test = rows.filter((r) => r.group === domain);
      const p = predictWith ? await predictWith(model, test.map((t) => t.text)) : test.map((t) => model.predict(t.text).complaint!.complaint!);
      test.forEach((t, i) => {
        gold.push(t.label);
        pred.push(Number(p[i]! >= 0.5));
      });
    }
    return 100 * positiveF1(gold, pred);
  };
}
