// The churn and sarcasm set (eval/churn-sarcasm.jsonl, docs/intent-guidelines.md): short
// mentions to brands, written for evaluation only; no tier was trained or tuned on it.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { INTENT_LABELS, type Enrichment } from '@earshot/shared';
import { routed, sentimentIndex, sentimentMacroRecall, type TierReadings } from './routing-eval.js';

export const CHURN_SARCASM_SET = join(dirname(fileURLToPath(import.meta.url)), '../eval/churn-sarcasm.jsonl');

const Row = z.object({
  text: z.string().min(1),
  sentiment: z.enum(['negative', 'neutral', 'positive']),
  intents: z.array(z.enum(INTENT_LABELS)),
  /** Praise words meant as their opposite. */
  sarcastic: z.boolean().default(false),
});
export type ChurnSarcasmRow = z.infer<typeof Row>;

export function readChurnSarcasmSet(path = CHURN_SARCASM_SET): ChurnSarcasmRow[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const parsed = Row.safeParse(JSON.parse(l));
      if (!parsed.success) throw new Error(`${path}:${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

const has = (e: Enrichment, label: string) => e.intents.some((i) => i.label === label);

/** One tier's figures on the set, in points. */
export function churnSarcasmScores(set: ChurnSarcasmRow[], out: Enrichment[]) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  set.forEach((r, i) => {
    const gold = r.intents.includes('churn_risk');
    const said = has(out[i]!, 'churn_risk');
    if (gold && said) tp++;
    else if (said) fp++;
    else if (gold) fn++;
  });
  const sarcastic = set.map((r, i) => (r.sarcastic ? i : -1)).filter((i) => i >= 0);
  const share = (test: (e: Enrichment) => boolean) => (sarcastic.length ? (100 * sarcastic.filter((i) => test(out[i]!)).length) / sarcastic.length : 0);
  return {
    sentiment: sentimentMacroRecall(
      set.map((r) => ['negative', 'neutral', 'positive'].indexOf(r.sentiment)),
      out,
    ),
    churnPrecision: tp + fp ? (100 * tp) / (tp + fp) : 0,
    churnRecall: tp + fn ? (100 * tp) / (tp + fn) : 0,
    sarcasmNegative: share((e) => sentimentIndex(e) === 0),
    sarcasmPraise: share((e) => has(e, 'praise')),
  };
}

/** The set's table for fast, accurate and routed readings of it (fast alone where the encoder is not built). */
export function churnSarcasmTable(set: ChurnSarcasmRow[], r: Omit<TierReadings, 'accurate'> & { accurate: Enrichment[] | null }): string[] {
  // The churn cues were revised looking at the even rows' misses only; the odd rows check them.
  const odd = set.filter((_, i) => i % 2 === 1);
  const score = (out: Enrichment[]) => ({
    ...churnSarcasmScores(set, out),
    odd: churnSarcasmScores(
      odd,
      out.filter((_, i) => i % 2 === 1),
    ),
  });
  const both = r.accurate ? { ...r, accurate: r.accurate } : null;
  const route = both ? routed(both) : null;
  const tiers: [string, ReturnType<typeof score>][] = [['fast', score(r.fast)]];
  if (both && route) tiers.push(['accurate', score(both.accurate)], [`routed (${(100 * route.share).toFixed(1)}% to the encoder)`, score(route.out)]);
  const f = (n: number) => n.toFixed(1);
  const churn = set.filter((x) => x.intents.includes('churn_risk')).length;
  const sarcastic = set.filter((x) => x.sarcastic).length;
  return [
    `| churn and sarcasm set (${set.length} mentions to brands, ${churn} churn risk, ${sarcastic} sarcastic) | sentiment macro-recall | churn risk P / R | churn risk P / R, odd rows | sarcastic read as negative | sarcastic given praise |`,
    `|---|---|---|---|---|---|`,
    ...tiers.map(
      ([name, s]) =>
        `| ${name} | ${f(s.sentiment)} | ${f(s.churnPrecision)} / ${f(s.churnRecall)} | ${f(s.odd.churnPrecision)} / ${f(s.odd.churnRecall)} | ${f(s.sarcasmNegative)}% | ${f(s.sarcasmPraise)}% |`,
    ),
  ];
}
