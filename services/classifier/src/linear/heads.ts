import type { HeadSpec } from './model.js';

/** The heads of Earshot's linear model and the label order each is trained with. */
export const HEADS = {
  sentiment: { name: 'sentiment', labels: ['negative', 'neutral', 'positive'], kind: 'softmax' },
  emotion: { name: 'emotion', labels: ['anger', 'joy', 'optimism', 'sadness'], kind: 'softmax' },
  offensive: { name: 'offensive', labels: ['offensive'], kind: 'sigmoid' },
  hate: { name: 'hate', labels: ['hateful'], kind: 'sigmoid' },
  complaint: { name: 'complaint', labels: ['complaint'], kind: 'sigmoid' },
  // UMSAB's Hindi tweets are romanised and code-mixed with English, so Hindi is left
  // to the script check (Devanagari) rather than taught to this head.
  lang: { name: 'lang', labels: ['ar', 'en', 'fr', 'de', 'it', 'pt', 'es'], kind: 'softmax' },
} as const satisfies Record<string, HeadSpec>;

export type HeadName = keyof typeof HEADS;
