import type { Enrichment } from '@earshot/shared';
import { detectIntents, journeyStage } from './intents.js';
import { detectLanguage } from './lang.js';
import { readSarcasm } from './sarcasm.js';

// What every tier emits, from one text's head probabilities: the tiers differ only in how
// they get the probabilities (n-grams, an encoder, a mix), never in how they are shaped.

const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** Turns one text's head probabilities into the enrichment fields every tier emits. */
export function enrichmentFrom(
  text: string,
  probs: Record<string, Record<string, number>>,
  model: { name: string; version: string },
  lang: string | undefined,
): Enrichment {
  // Sarcasm (sarcasm.ts) read as what it means before anything else uses the sentiment.
  const s = readSarcasm(text, probs.sentiment ?? { negative: 0, neutral: 1, positive: 0 });
  const label = (['negative', 'neutral', 'positive'] as const).reduce((a, b) => ((s[b] ?? 0) > (s[a] ?? 0) ? b : a));
  const sentiment = {
    label,
    score: round((s.positive ?? 0) - (s.negative ?? 0)),
    probs: { negative: round(s.negative ?? 0), neutral: round(s.neutral ?? 0), positive: round(s.positive ?? 0) },
  };
  const intents = detectIntents(text, { sentiment: s, complaint: probs.complaint?.complaint ?? 0 });
  return {
    sentiment,
    intents,
    emotion: Object.fromEntries(Object.entries(probs.emotion ?? {}).map(([k, v]) => [k, round(v)])),
    toxicity: {
      ...(probs.offensive ? { offensive: round(probs.offensive.offensive ?? 0) } : {}),
      ...(probs.hate ? { hateful: round(probs.hate.hateful ?? 0) } : {}),
    },
    lang: lang ?? detectLanguage(text, probs.lang),
    journey_stage: journeyStage(text, intents, sentiment),
    model,
  };
}

/** The defined result for a text with nothing to read (empty, whitespace). */
export function emptyEnrichment(model: { name: string; version: string }, lang?: string): Enrichment {
  return {
    sentiment: { label: 'neutral', score: 0, probs: { negative: 0, neutral: 1, positive: 0 } },
    intents: [],
    emotion: {},
    toxicity: {},
    lang: lang ?? 'und',
    journey_stage: null,
    model,
  };
}

export const mentionText = (m: { text: string; title?: string }) => (m.title ? `${m.title}\n${m.text}` : m.text);
