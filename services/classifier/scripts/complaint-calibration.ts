import type { Labelled } from './datasets.js';
import { logit } from '../src/logit.js';

// The accurate tier's complaint head is trained class-balanced, so it decides as if half
// of all tweets to brands were complaints; 60% of dev.csv's are. Complaint has no val
// split, so its decision is set on held-out brand domains instead: shift the logit until
// it calls as many of them complaints as there are (the rule its yes/no heads follow on
// val). The fast tier's head is left as trained: it separates the classes too weakly, and
// the same shift made it call plain questions to brands complaints.

/** A row of dev.csv's brand domains; the random tweets are never held out. */
export const isBrandRow = (r: Labelled): boolean => r.group !== undefined && r.group !== '' && !r.group.startsWith('random');

export const brandDomains = (rows: Labelled[]): string[] => [...new Set(rows.filter(isBrandRow).map((r) => r.group!))];

/**
 * The shift to add to a yes/no head's logits so that exactly as many of these rows come
 * out positive (logit + shift >= 0) as are labelled positive: midway between the k-th and
 * (k+1)-th highest logits.
 */
export function rateMatchedShift(logits: number[], gold: number[]): number {
  if (logits.length === 0 || logits.length !== gold.length)
    throw new Error(`rateMatchedShift needs one label per logit (${logits.length} logits, ${gold.length} labels)`);
  const k = gold.filter((g) => g === 1).length;
  const sorted = [...logits].sort((a, b) => b - a);
  if (k === 0) return -sorted[0]! - 1;
  if (k === sorted.length) return -sorted[sorted.length - 1]! + 1;
  return -(sorted[k - 1]! + sorted[k]!) / 2;
}

/**
 * rateMatchedShift over held-out probabilities (one per brand-domain row, by text), leaving
 * out domain `without`: the shift a head fitted without that domain would get.
 */
export function heldOutShift(rows: Labelled[], probability: Map<string, number>, without?: string): number {
  const scored = rows.filter((r) => isBrandRow(r) && r.group !== without);
  const missing = scored.find((r) => !probability.has(r.text));
  if (missing) throw new Error(`no held-out probability for the ${missing.group} row "${missing.text.slice(0, 60)}"`);
  return rateMatchedShift(
    scored.map((r) => logit(probability.get(r.text)!)),
    scored.map((r) => r.label),
  );
}
