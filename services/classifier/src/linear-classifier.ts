import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Enrichment } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { LinearModel } from './linear/model.js';
import { detectIntents, journeyStage } from './intents.js';
import { detectLanguage } from './lang.js';

export const DEFAULT_LINEAR_MODEL = join(dirname(fileURLToPath(import.meta.url)), '../models/earshot-linear-fast.bin');

const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** Turns one text's head probabilities into the enrichment fields every tier emits. */
export function enrichmentFrom(
  text: string,
  probs: Record<string, Record<string, number>>,
  model: { name: string; version: string },
  lang: string | undefined,
): Enrichment {
  const s = probs.sentiment ?? { negative: 0, neutral: 1, positive: 0 };
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

/**
 * The fast tier: Earshot's own hashed n-gram linear model (trained by
 * `npm run train:classifier`, shipped in models/), all heads from one featurisation.
 */
export class LinearClassifier implements MentionClassifier {
  readonly model: { name: string; version: string };
  private readonly linear: LinearModel;

  constructor(path = DEFAULT_LINEAR_MODEL) {
    this.linear = LinearModel.load(path);
    this.model = { name: this.linear.name, version: this.linear.version };
  }

  async classify(mentions: { text: string; title?: string; lang?: string }[]): Promise<Enrichment[]> {
    return mentions.map((m) => {
      const text = mentionText(m);
      if (text.trim() === '') return emptyEnrichment(this.model, m.lang);
      try {
        return enrichmentFrom(text, this.linear.predict(text), this.model, m.lang);
      } catch {
        // Never let one odd text stop the batch.
        return emptyEnrichment(this.model, m.lang);
      }
    });
  }

  /** Head probabilities, for evaluation. */
  probabilities(text: string) {
    return this.linear.predict(text);
  }

  async close(): Promise<void> {}
}
