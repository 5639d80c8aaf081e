// npm run eval:classifier — each benchmark's own metric on the val splits in
// ../shared/datasets, for both tiers, and mentions/s; writes the table to stdout.
import { existsSync } from "node:fs";
import { LinearClassifier, DEFAULT_LINEAR_MODEL } from '../src/linear-classifier.js';
import { TransformersClassifier, averageProbabilities } from '../src/transformers-classifier.js';
import { TransformersEncoder } from '../src/encoder.js';
import { DenseHeads, trainDenseHead } from '../src/dense/heads.js';
import { LinearModel } from '../src/linear/model.js';
import { HEADS } from '../src/linear/heads.js';
import { positiveF1 } from '../src/linear/metrics.js';
import { DEFAULT_ENCODER, DEFAULT_HEADS } from '../src/create-classifier.js';
import { loadCorpus } from './corpus.js';
import { complaintDomainCv, evaluate, type Scores } from './evaluate.js';
import { FAST_RECIPE, trainOne } from './train-linear.js';

const log = (s: string) => process.stderr.write(`${s}\n`);
const corpus = loadCorpus();
const speedTexts = corpus.val.sentiment.map((e) => e.text);

async function speed(classify: (batch: { text: string }[]) => Promise<unknown>, n: number, batch: number): Promise<number> {
  const items = Array.from({ length: n }, (_, i) => ({ text: speedTexts[i % speedTexts.length]! }));
  await classify(items.slice(0, batch));
  const t0 = performance.now();
  for (let i = 0; i < n; i += batch) await classify(items.slice(i, i + batch));
  return n / ((performance.now() - t0) / 1000);
}

log('fast tier: evaluating');
const fast = new LinearClassifier(DEFAULT_LINEAR_MODEL);
const fastScores = await evaluate(async (texts) => texts.map((t) => fast.probabilities(t)), corpus, complaintDomainCv(corpus, FAST_RECIPE));
const fastSpeed = await speed((b) => fast.classify(b), 40_000, 1000);

let accurate: { scores: Scores; speed: number; name: string } | null = null;
if (existsSync(DEFAULT_ENCODER) && existsSync(DEFAULT_HEADS)) {
  log('accurate tier: evaluating (embedding the val sets takes a few minutes)');
  const options = { model: DEFAULT_ENCODER, offline: true, dtype: 'q8' as const, threads: 2, batchSize: 32 };
  const clf = await TransformersClassifier.load({ ...options, headsPath: DEFAULT_HEADS, linearPath: DEFAULT_LINEAR_MODEL, weight: 0.5 });
  const encoder = await TransformersEncoder.load(options);
  const heads = DenseHeads.load(DEFAULT_HEADS);
  const complaintCv = async () => {
    // Domain-held-out, as for the fast tier: both the linear and the dense complaint heads are retrained without the held-out domain.
    const rows = corpus.train.complaint;
    const xs = await encoder.embed(rows.map((r) => r.text));
    const gold: number[] = [];
    const pred: number[] = [];
    for (const domain of [...new Set(rows.map((r) => r.group!))].filter((d) => !d.startsWith('random'))) {
      const trainIdx = rows.map((r, i) => (r.group !== domain ? i : -1)).filter((i) => i >= 0);
      const dense = trainDenseHead({ ...HEADS.complaint, labels: ['complaint'] }, trainIdx.map((i) => xs[i]!), trainIdx.map((i) => rows[i]!.label), { epochs: 10, learningRate: 0.2, l2: 1e-5, seed: 1 });
      const lin = new LinearModel({ name: 'cv', version: '0', features: FAST_RECIPE.features, heads: [trainOne('complaint', rows.filter((r) => r.group !== domain), FAST_RECIPE)], trainedOn: {} });
      const denseModel = new DenseHeads({ ...heads.file, heads: [dense] });
      rows.forEach((r, i) => {
        if (r.group !== domain) return;
        const p = averageProbabilities(lin.predict(r.text), denseModel.predict(xs[i]!), 0.5);
        gold.push(r.label);
        pred.push(Number(p.complaint!.complaint! >= 0.5));
      });
    }
    return 100 * positiveF1(gold, pred);
  };
  const scores = await evaluate((texts) => clf.probabilities(texts), corpus, complaintCv);
  accurate = { scores, speed: await speed((b) => clf.classify(b), 2_000, 32), name: clf.model.name };
  await clf.close();
  await encoder.dispose();
} else {
  log(`accurate tier: not built here (${DEFAULT_ENCODER}); run npm run models:build (and npm run train:classifier:accurate to retrain its heads)`);
}

const f = (n: number | undefined) => (n === undefined ? 'n/a' : n.toFixed(1));
const row = (label: string, get: (s: Scores) => number, ref: string) => `| ${label} | ${f(get(fastScores))} | ${accurate ? f(get(accurate.scores)) : 'not built'} | ${ref} |`;
const table = [
  `| benchmark (val split, its own metric) | fast | accurate | published (test split) |`,
  `|---|---|---|---|`,
  row('TweetEval sentiment, macro-recall', (s) => s.tweeteval_sentiment_macro_recall, 'FastText/SVM 62.9, SOTA 73.7'),
  row('TweetEval emotion, macro-F1', (s) => s.emotion_macro_f1, 'FastText 65.2, SOTA 80.2'),
  row('TweetEval offensive, macro-F1', (s) => s.offensive_macro_f1, 'FastText 73.4, SOTA 82.2'),
  row('TweetEval hate, macro-F1', (s) => s.hate_macro_f1, 'FastText 50.6, BERTweet 56.4'),
  ...Object.keys(fastScores.umsab_macro_f1).map((l) => row(`UMSAB ${l}, macro-F1`, (s) => s.umsab_macro_f1[l]!, 'XLM-T paper')),
  row('Complaints, F1, brand domains held out', (s) => s.complaint_f1_domain_cv, 'paper 79 (all domains)'),
  `| speed, mentions/s | ${Math.round(fastSpeed).toLocaleString('en-US')} (1 core) | ${accurate ? `${Math.round(accurate.speed).toLocaleString('en-US')} (2 threads)` : 'not built'} | target 20,000 / 200 |`,
];
process.stdout.write(`${table.join('\n')}\n`);

