import { createRequire } from 'node:module';
import type { Enrichment } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';

const require = createRequire(import.meta.url);
const vader = require('vader-sentiment') as {
  SentimentIntensityAnalyzer: { polarity_scores(text: string): { neg: number; neu: number; pos: number; compound: number } };
};
const VADER_VERSION = (require('vader-sentiment/package.json') as { version: string }).version;

/** VADER's own thresholds on the compound score. */
const POSITIVE = 0.05;
const NEGATIVE = -0.05;
/** Sentiment is carried by the opening of a long post; scoring 100k characters buys nothing. */
const MAX_CHARS = 5_000;

/**
 * The lexicon stand-in: VADER (Hutto & Gilbert 2014), a rule-based sentiment model
 * tuned for social media. Gives sentiment only; intents, emotion and toxicity stay
 * empty until a trained model replaces it.
 */
export class VaderClassifier implements MentionClassifier {
  readonly model = { name: 'vader-lexicon', version: VADER_VERSION };

  async classify(mentions: { text: string; title?: string; lang?: string }[]): Promise<Enrichment[]> {
    return mentions.map((m) => this.classifyOne(m));
  }

  private classifyOne(m: { text: string; title?: string; lang?: string }): Enrichment {
    const text = (m.title ? `${m.title}. ${m.text}` : m.text).slice(0, MAX_CHARS);
    let scores = { neg: 0, neu: 1, pos: 0, compound: 0 };
    if (text.trim() !== '') {
      try {
        scores = vader.SentimentIntensityAnalyzer.polarity_scores(text);
      } catch {
        // A lexicon edge case must not stop the batch: such a text counts as neutral.
      }
    }
    const total = scores.neg + scores.neu + scores.pos || 1;
    const compound = Number.isFinite(scores.compound) ? Math.max(-1, Math.min(1, scores.compound)) : 0;
    return {
      sentiment: {
        label: compound >= POSITIVE ? 'positive' : compound <= NEGATIVE ? 'negative' : 'neutral',
        score: compound,
        probs: { negative: scores.neg / total, neutral: scores.neu / total, positive: scores.pos / total },
      },
      intents: [],
      emotion: {},
      toxicity: {},
      lang: m.lang ?? 'und',
      journey_stage: null,
      model: this.model,
    };
  }

  async close(): Promise<void> {}
}
