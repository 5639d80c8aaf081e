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
    pattern:
      /\?|^(how|what|why|when|where|who|which|can|could|does|do|is|are|will|anyone|any idea)\b|\b(how (do|can|to)|does anyone|can (you|someone|i)|is there a way|help me|(please|pls|plz|kindly) (advise|help|assist)|help,? please|need (your )?help|(want|like|need) to know|let me know|any (update|news|info)|guidance)\b/i,
    base: 0.6,
  },
  {
    label: 'purchase_intent',
    pattern:
      /\b(want(ing)? to (buy|get|order|purchase|make the payment)|going to (buy|get|order)|gonna (buy|get)|planning (to|on) (buy|get|order|stop by)|thinking (of|about) (buying|getting|switching)|just (bought|ordered|signed up)|sign(ed|ing)? up (for|to)|pre-?order(ed)?|where (can|do) i (buy|get)|how much (is|does|for|would)|take my money|should i (buy|get)|worth (it|buying)|(back )?in stock|restock|do you (still )?(have|carry|sell|stock) (this|these|it|them|any|an?|the)\b|(would|will) you (have|be getting|be selling|stock)|is it (possible|available) to (buy|order)|is (it|this) available|available in (size|store|\w+ stores?)|price match|in (an? )?(xxs|xs|xl|xxl|size \d+)\b|(got|going) with)\b/i,
    base: 0.75,
  },
  {
    label: 'churn_risk',
    pattern:
      /\b(cancel+(ing|ed)? (my|the|our) (plan|account|subscription|contract|service|membership|policy|broadband|line)|(plan|account|subscription|contract|membership|policy) (is )?(going to be |will be )?cancel+ed|switch(ing|ed)? (to|from|provider|carrier)|i switched|(i'?m|we'?re) leaving|done with (you|this)|never (again|buying|using|flying|shopping)|unsubscrib|clos(e|ed|ing) my account|moving to|going back to|last time i|lost a customer|goodbye|regret (changing|switching|choosing|buying)|find (another|a new|a different) (company|provider|carrier|bank|airline)|why (should i|would i|would anyone|buy from|choose)|(stop|quit) (wearing|using|buying|shopping)|alternatives?|wish i could cancel|(i'?ll|we'?ll|i will|we will) be (switching|leaving|cancel+ing|moving)|switch(ing|ed)? (away|banks|providers|carriers|networks)|(mov(e|ing)|tak(e|ing)) my (savings|money|business|custom|accounts?) (to|elsewhere)|(considering|thinking (of|about)) (leaving|cancel+ing)|(is|are|am) leaving (@\w+|you)|port(ing)? (my|our) numbers?|(not|won'?t be|no longer) renewing|terminat(e|ing|ed) (my|the|our) (contract|account|plan|subscription|service|membership)|(delet|uninstall)(e|ed|ing) (the|your) app)\b/i,
    base: 0.75,
  },
  {
    label: 'feature_request',
    pattern:
      /\b(please add|pls add|can you (please )?add|will (you|u) add|would (be|love) (nice|great|cool|it) if|i wish (you|it|there|the)|feature request|should (add|have|support)|need(s)? (an|a) (option|way|setting)|why (can'?t|don'?t|isn'?t) (you|it|there)|bring (it |this |them )?back|(ever )?bringing (it |this |them )?back|why did you (take away|remove|discontinue|get rid of|stop)|add support for|future (release|update|version)|when (will|is|are) .{0,40}\b(get(ting)?|have|release|launch)\b.{0,30}\b(app|update|version|support|driver)|(driver|update|app) .{0,20}please)\b/i,
    base: 0.7,
  },
  {
    label: 'spam',
    pattern:
      /(\b(giveaway|sweepstakes?|promo code|discount code|coupon code|follow (me|us|back|for follow)|click (here|the link)|dm (me|us) for|earn \$|free followers|airdrop|crypto signals|limited offer|use code|check (it|them|this) out|check out my|enter(ed)? to win|just entered|chance to win|instant ?win|i would win|i liked a @?youtube video|via @youtube|i just (reviewed|gave \d stars)|tickets? (available|for sale)|sign up with|cash ?back|my ?twitter ?anniversary|daily word|horoscope|more for (aries|taurus|gemini|cancer|leo|virgo|libra|scorpio|sagittarius|capricorn|aquarius|pisces))\b|#(ad|sponsored|promotion|promo|giveaway|freesamp|gotitfree)\b)/i,
    base: 0.75,
  },
];

// Praise is said to a brand about what it did; "thanks" closing a question is politeness.
const PRAISE =
  /\b(love|loving|great|awesome|amazing|excellent|fantastic|brilliant|best|perfect|recommend|kudos|shout ?out|well done|impressed|props|you rock|on point|helped|\d stars|great service)\b|❤|😍|🙌|👏/i;
const THANKS = /\b(thank(s| you)|thx|ty)\b/i;
const HASHTAGS = /#\w+/g;
const LINK = /https?:\/\//i;

export function detectIntents(text: string, probs: { sentiment: Record<string, number>; complaint: number }): Intent[] {
  const intents: Intent[] = [];
  const neg = probs.sentiment.negative ?? 0;
  const pos = probs.sentiment.positive ?? 0;
  if (probs.complaint >= 0.5) intents.push({ label: 'complaint', score: probs.complaint });
  const matched = CUES.filter((c) => c.pattern.test(text));
  const promotional = matched.some((c) => c.label === 'spam');
  for (const cue of matched) {
    // A promotion's "sign up" or "buy" is the advertiser's, not the author's intent.
    if (promotional && cue.label === 'purchase_intent') continue;
    let score = cue.base;
    if (cue.label === 'churn_risk') score += 0.2 * neg;
    if (cue.label === 'question') score += 0.2 * Number(text.includes('?'));
    intents.push({ label: cue.label, score: Math.min(1, score) });
  }
  if ((text.match(HASHTAGS)?.length ?? 0) >= 4 && LINK.test(text) && !intents.some((i) => i.label === 'spam')) intents.push({ label: 'spam', score: 0.6 });
  const asked = intents.some((i) => i.label === 'question');
  const cue = PRAISE.test(text) || (THANKS.test(text) && !asked);
  const spam = intents.some((i) => i.label === 'spam');
  const praise = spam || !cue ? 0 : pos;
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
