// npm run eval:classifier:routing: the routed tier (fast, with what it is unsure of or
// what carries a complaint, churn or sarcasm cue sent to the encoder) against both
// tiers. TweetEval sentiment val is split in two by position: the margin is chosen on
// the even rows, reported on the odd ones. The churn and sarcasm set
// (eval/churn-sarcasm.jsonl) is scored whole: nothing was chosen or trained on it.
import { existsSync } from 'node:fs';
import { LinearClassifier, DEFAULT_LINEAR_MODEL } from '../src/linear-classifier.js';
import { DEFAULT_ENCODER } from '../src/create-classifier.js';
import { ROUTE_MARGIN } from '../src/routing.js';
import { loadMeasuredAccurateTier } from './evaluate.js';
import { readComplaints, readIntentSet, readTextLabels, requireDatasets } from './datasets.js';
import { complaintRow, praiseRow, sentimentRow, type Tier } from './sarcasm-eval.js';
import { chooseMargin, routed, sentimentMacroRecall, subset, type TierReadings } from './routing-eval.js';
import { churnSarcasmTable, readChurnSarcasmSet } from './churn-sarcasm.js';

const log = (s: string) => process.stderr.write(`${s}\n`);
requireDatasets();
if (!existsSync(DEFAULT_ENCODER)) throw new Error(`the accurate tier is not built (${DEFAULT_ENCODER}): run npm run models:build`);

const f = (n: number) => n.toFixed(1);
const val = readTextLabels('tweeteval/sentiment', 'val');
const set = readChurnSarcasmSet();
const fast = new LinearClassifier(DEFAULT_LINEAR_MODEL);
log('accurate tier: reading TweetEval sentiment val and the churn/sarcasm set');
const accurate = await loadMeasuredAccurateTier();
const read = async (texts: string[]): Promise<TierReadings> => {
  const mentions = texts.map((text) => ({ text }));
  return { texts, fast: await fast.classify(mentions), accurate: await accurate.classify(mentions) };
};
const all = await read(val.map((e) => e.text));
const brand = await read(set.map((e) => e.text));

log('sarcasm rule: each tier read with and without it');
const tiers: Tier[] = [
  { name: 'fast', probabilities: async (texts) => texts.map((t) => fast.probabilities(t)) },
  { name: 'accurate', probabilities: (texts) => accurate.probabilities(texts) },
];
const brandGold = set.map((r) => ({ text: r.text, label: ['negative', 'neutral', 'positive'].indexOf(r.sentiment) }));
const rule = [
  `| sarcasm rule (src/sarcasm.ts): set | texts it matches | fast: without → with | accurate: without → with |`,
  `|---|---|---|---|`,
  await sentimentRow('TweetEval sentiment val, macro-recall', val, tiers),
  await sentimentRow(
    'churn and sarcasm set, even rows (looked at while writing the rule), macro-recall',
    brandGold.filter((_, i) => i % 2 === 0),
    tiers,
  ),
  await sentimentRow(
    'churn and sarcasm set, odd rows (not looked at), macro-recall',
    brandGold.filter((_, i) => i % 2 === 1),
    tiers,
  ),
  await praiseRow(readIntentSet(), (p) => p.complaint?.complaint ?? 0, tiers),
  await complaintRow(readComplaints(), tiers),
];
await accurate.close();

const gold = val.map((e) => e.label);
const even = (i: number) => i % 2 === 0;
const choose = subset(all, even);
const check = subset(all, (i) => !even(i));
const { margin, curve } = chooseMargin(
  choose,
  gold.filter((_, i) => even(i)),
);
const checkGold = gold.filter((_, i) => !even(i));
const routedCheck = routed(check, ROUTE_MARGIN);
const lines = [
  `| margin (choosing half, even rows, ${choose.texts.length}) | routed sentiment macro-recall | share routed |`,
  `|---|---|---|`,
  ...curve.map((c) => `| ${c.margin} | ${f(c.recall)} | ${f(c.share)}% |`),
  '',
  `Margin chosen by the rule: ${margin}; shipped (routing.ts ROUTE_MARGIN): ${ROUTE_MARGIN}.`,
  '',
  `| TweetEval sentiment val, odd rows (${check.texts.length}), macro-recall | fast | accurate | routed | share routed |`,
  `|---|---|---|---|---|`,
  `| check half | ${f(sentimentMacroRecall(checkGold, check.fast))} | ${f(sentimentMacroRecall(checkGold, check.accurate))} | ${f(sentimentMacroRecall(checkGold, routedCheck.out))} | ${f(100 * routedCheck.share)}% |`,
  '',
  ...churnSarcasmTable(set, brand),
  '',
  ...rule,
];
process.stdout.write(`${lines.join('\n')}\n`);
