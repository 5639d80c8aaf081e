import type { Enrichment } from '@earshot/shared';

/**
 * Which of the fast tier's mentions are worth the encoder's time: those whose sentiment
 * the fast tier is unsure of, and those that carry a complaint, churn or sarcasm cue (the
 * n-grams read "I love how I have to wait" as praise; the encoder reads it better).
 */

/**
 * Sentiment margin (top probability minus the runner-up) under which the fast tier is
 * called unsure. Chosen on one half of TweetEval sentiment val (`npm run eval:classifier:routing`:
 * the largest gain per mention routed, among 0.05 to 0.5), reported on the other half.
 */
export const ROUTE_MARGIN = 0.25;

/**
 * Phrases that turn praise words into a complaint or a threat to leave. Written from the
 * cases users met (issue 42) before the churn/sarcasm set was labelled, and not revised on it.
 */
export const ROUTE_CUES =
  /\b(i (just )?love (how|when|that|it when|being|waiting|paying)|(thanks|thank you|thx) for (nothing|ruining|wasting|making me|charging|the (great|wonderful|amazing|lovely|fantastic))|so (glad|happy) (i|to) (pay|paid|wait|waited|be charged)|(great|fantastic|brilliant|wonderful|amazing|awesome|stellar) (job|service|work|customer service|support)(,| |\.)+(as (usual|always)|again|guys|there)|what a (joy|treat|surprise)|said no one|can'?t wait to (wait|pay|call|sit)|yay,? (another|more)|oh (great|good|joy|wonderful)|just what i needed|(cancel+(ing|ed)?|close|closing) (my|our) (account|plan|subscription|contract|service|membership)|switch(ing|ed)? (to|from|provider|carrier|banks?)|never again|never (buying|using|flying|shopping|ordering)|done with (you|this|your)|(i'?m|we'?re|i am) (leaving|out|done)|lost a customer|taking my business|find (another|a new|a different) (company|provider|carrier|bank|airline))\b|🙄|\/s\b/i;

export type RouteReason = 'unsure' | 'cue' | 'contradiction';

/**
 * Why a mention should go to the accurate tier, or null when the fast tier's reading
 * stands. `contradiction`: the fast tier calls it positive yet also a complaint or churn risk.
 */
export function routeReason(text: string, fast: Pick<Enrichment, 'sentiment' | 'intents'>, margin = ROUTE_MARGIN): RouteReason | null {
  const p = Object.values(fast.sentiment.probs).sort((a, b) => b - a);
  if ((p[0] ?? 0) - (p[1] ?? 0) < margin) return 'unsure';
  if (ROUTE_CUES.test(text)) return 'cue';
  if (fast.sentiment.label === 'positive' && fast.intents.some((i) => i.label === 'complaint' || i.label === 'churn_risk')) return 'contradiction';
  return null;
}
