// What the sarcasm rule (src/sarcasm.ts) changes, per tier, on every labelled set at hand:
// each tier's own probabilities read with and without it.
import { detectIntents } from '../src/intents.js';
import { macroRecall } from '../src/linear/metrics.js';
import type { Probabilities } from '../src/probabilities.js';
import { SARCASM, readSarcasm } from '../src/sarcasm.js';

export interface Tier {
  name: string;
  probabilities: (texts: string[]) => Promise<Probabilities[]>;
}

const LABELS = ['negative', 'neutral', 'positive'];
const top = (s: Record<string, number>) => LABELS.reduce((b, l, i) => ((s[l] ?? 0) > (s[LABELS[b]!] ?? 0) ? i : b), 0);
const neutral = { negative: 0, neutral: 1, positive: 0 };
const f = (n: number) => n.toFixed(1);

/** Sentiment macro-recall without and with the rule, and how many texts it turned. */
export async function sentimentRow(name: string, set: { text: string; label: number }[], tiers: Tier[]): Promise<string> {
  const cells: string[] = [];
  const texts = set.map((e) => e.text);
  const gold = set.map((e) => e.label);
  for (const tier of tiers) {
    const probs = await tier.probabilities(texts);
    const before = probs.map((p) => top(p.sentiment ?? neutral));
    const after = probs.map((p, i) => top(readSarcasm(texts[i]!, p.sentiment ?? neutral)));
    const turned = after.filter((a, i) => a !== before[i]).length;
    cells.push(`${f(100 * macroRecall(gold, before, 3))} → ${f(100 * macroRecall(gold, after, 3))} (${turned} turned)`);
  }
  return `| ${name} (${set.length}) | ${texts.filter((t) => SARCASM.test(t)).length} | ${cells.join(' | ')} |`;
}

/** Praise precision / recall on the intent set, without and with the rule. */
export async function praiseRow(set: { text: string; intents: string[] }[], complaint: (p: Probabilities) => number, tiers: Tier[]): Promise<string> {
  const texts = set.map((e) => e.text);
  const cells: string[] = [];
  for (const tier of tiers) {
    const probs = await tier.probabilities(texts);
    const pr = (rule: boolean) => {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      set.forEach((e, i) => {
        const s = probs[i]!.sentiment ?? neutral;
        const said = detectIntents(texts[i]!, { sentiment: rule ? readSarcasm(texts[i]!, s) : s, complaint: complaint(probs[i]!) }).some(
          (x) => x.label === 'praise',
        );
        const gold = e.intents.includes('praise');
        if (gold && said) tp++;
        else if (said) fp++;
        else if (gold) fn++;
      });
      return `${f(tp + fp ? (100 * tp) / (tp + fp) : 0)} / ${f(tp + fn ? (100 * tp) / (tp + fn) : 0)}`;
    };
    cells.push(`${pr(false)} → ${pr(true)}`);
  }
  return `| intent set (${set.length}), praise P / R | ${texts.filter((t) => SARCASM.test(t)).length} | ${cells.join(' | ')} |`;
}

/** Tweets to brands (complaints/dev.csv): how many the rule turns negative, and how many of those are complaints. */
export async function complaintRow(set: { text: string; label: number }[], tiers: Tier[]): Promise<string> {
  const texts = set.map((e) => e.text);
  const cells: string[] = [];
  for (const tier of tiers) {
    const probs = await tier.probabilities(texts);
    const turned = set.filter((e, i) => top(probs[i]!.sentiment ?? neutral) !== top(readSarcasm(e.text, probs[i]!.sentiment ?? neutral)));
    cells.push(`${turned.length} turned negative, ${turned.filter((e) => e.label === 1).length} of them complaints`);
  }
  return `| complaints/dev.csv (${set.length}, complaint labels) | ${texts.filter((t) => SARCASM.test(t)).length} | ${cells.join(' | ')} |`;
}
