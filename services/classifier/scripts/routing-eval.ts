// The routed tier scored without running it twice: each text is read by both tiers once,
// and the routed reading is the accurate one where routeReason sends it there.
import type { Enrichment } from '@earshot/shared';
import { macroRecall } from '../src/linear/metrics.js';
import { routeReason } from '../src/routing.js';

const SENTIMENT = ['negative', 'neutral', 'positive'] as const;
export const sentimentIndex = (e: Pick<Enrichment, 'sentiment'>) => SENTIMENT.indexOf(e.sentiment.label);

export interface TierReadings {
  texts: string[];
  fast: Enrichment[];
  accurate: Enrichment[];
}

/** The routed tier's enrichments at a margin, and the share of texts it sends to the encoder. */
export function routed(r: TierReadings, margin?: number): { out: Enrichment[]; share: number } {
  let sent = 0;
  const out = r.texts.map((t, i) => {
    if (routeReason(t, r.fast[i]!, margin) === null) return r.fast[i]!;
    sent++;
    return r.accurate[i]!;
  });
  return { out, share: r.texts.length ? sent / r.texts.length : 0 };
}

export const sentimentMacroRecall = (gold: number[], out: Enrichment[]) => 100 * macroRecall(gold, out.map(sentimentIndex), 3);

/** Only the rows at `keep` of each reading. */
export function subset(r: TierReadings, keep: (i: number) => boolean): TierReadings {
  const pick = <T>(xs: T[]) => xs.filter((_, i) => keep(i));
  return { texts: pick(r.texts), fast: pick(r.fast), accurate: pick(r.accurate) };
}

export const MARGINS = [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5];

/**
 * The margin rule, fixed before any figure was seen: the smallest margin whose routed
 * macro-recall on the choosing half reaches 90% of the accurate tier's gain over the fast one.
 */
export function chooseMargin(choose: TierReadings, gold: number[]): { margin: number; curve: { margin: number; recall: number; share: number }[] } {
  const fast = sentimentMacroRecall(gold, choose.fast);
  const accurate = sentimentMacroRecall(gold, choose.accurate);
  const curve = MARGINS.map((margin) => {
    const r = routed(choose, margin);
    return { margin, recall: sentimentMacroRecall(gold, r.out), share: 100 * r.share };
  });
  const enough = curve.find((c) => c.recall - fast >= 0.9 * (accurate - fast));
  return { margin: (enough ?? curve[curve.length - 1]!).margin, curve };
}
