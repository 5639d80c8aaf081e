import type { Enrichment } from '@earshot/shared';

type Intent = Enrichment['intents'][number];

/**
 * Rule-based intent cues. Only complaint has labelled data (its score comes from the
 * trained head); the other intents are phrase patterns, scored and combined with the
 * model's sentiment, documented as such in docs/model-card.md.
 */
const CUES: { label: Exclude<Intent['label'], 'complaint'>; pattern: RegExp; base: number }[] = [
  {
    label: 'question',
    pattern: /\?|^(how|what|why|when|where|who|which|can|could|does|do|is|are|will|anyone|any idea)\b|\b(how (do|can|to)|does anyone|can (you|someone|i)|is there a way|help me)\b/i,
    base: 0.6,
  },
  {
    label: 'purchase_intent',
    pattern: /\b(want(ing)? to (buy|get|order)|going to (buy|get|order)|gonna (buy|get)|thinking (of|about) (buying|getting|switching)|just (bought|ordered|signed up)|(i )?ordered|sign(ed|ing)? up|pre-?order(ed)?|where (can|do) i (buy|get)|how much (is|does|for)|take my money|should i (buy|get)|worth (it|buying))\b/i,
    base: 0.75,
  },
  {
    label: 'churn_risk',
    pattern: /\b(cancel+(ing|ed)? (my|the|our)|cancel+ing|switch(ing|ed)? (to|from|provider|carrier)|(i'?m|we'?re) leaving|done with (you|this)|never (again|buying|using)|unsubscrib|close my account|moving to|going back to|last time i|lost a customer|goodbye)\b/i,
    base: 0.75,
  },
  {
    label: 'feature_request',
    pattern: /\b(please add|pls add|can you (please )?add|would (be|love) (nice|great|cool|it) if|i wish (you|it|there|the)|feature request|should (add|have|support)|need(s)? (an|a) (option|way|setting)|why (can'?t|don'?t|isn'?t) (you|it|there)|bring back|add support for)\b/i,
    base: 0.7,
  },
  {
    label: 'spam',
    pattern: /\b(giveaway|promo code|discount code|coupon|follow (me|us|back|for follow)|click (here|the link)|dm (me|us) for|earn \$|free followers|airdrop|crypto signals|limited offer|use code|check out my)\b/i,
    base: 0.75,
  },
];

const PRAISE = /\b(love|loving|great|awesome|amazing|excellent|fantastic|brilliant|best|perfect|thank(s| you)|recommend|kudos|shout ?out|well done|impressed)\b|❤|😍|🙌|👏/i;
const HASHTAGS = /#\w+/g;
const LINK = /https?:\/\//i;

export function detectIntents(text: string, probs: { sentiment: Record<string, number>; complaint: number }): Intent[] {
  const intents: Intent[] = [];
  const neg = probs.sentiment.negative ?? 0;
  const pos = probs.sentiment.positive ?? 0;
  if (probs.complaint >= 0.5) intents.push({ label: 'complaint', score: probs.complaint });
  for (const cue of CUES) {
    if (!cue.pattern.test(text)) continue;
    let score = cue.base;
    if (cue.label === 'churn_risk') score += 0.2 * neg;
    if (cue.label === 'question') score += 0.2 * Number(text.includes('?'));
    intents.push({ label: cue.label, score: Math.min(1, score) });
  }
  if ((text.match(HASHTAGS)?.length ?? 0) >= 4 && LINK.test(text) && !intents.some((i) => i.label === 'spam')) intents.push({ label: 'spam', score: 0.6 });
  const praise = pos * (PRAISE.test(text) ? 1 : 0.6);
  if (praise >= 0.5 && probs.complaint < 0.5) intents.push({ label: 'praise', score: praise });
  return intents.map((i) => ({ label: i.label, score: Math.round(i.score * 1000) / 1000 })).sort((a, b) => b.score - a.score);
}

const BOUGHT = /\b(just (bought|ordered|signed up)|ordered|bought|signed up|subscribed|upgraded)\b/i;

/**
 * Where in the customer journey a mention sits, from its intents and sentiment:
 * service (problems and support questions), purchase, consideration, loyalty
 * (praise, advocacy), or awareness (everything else: news, passing mentions).
 */
export function journeyStage(text: string, intents: Intent[], sentiment: Enrichment['sentiment']): NonNullable<Enrichment['journey_stage']> {
  const has = (l: Intent['label']) => intents.some((i) => i.label === l);
  if (has('complaint') || has('churn_risk')) return 'service';
  if (has('purchase_intent')) return BOUGHT.test(text) ? 'purchase' : 'consideration';
  if (has('question')) return sentiment.label === 'negative' ? 'service' : 'consideration';
  if (has('praise') || has('feature_request')) return 'loyalty';
  return 'awareness';
}
