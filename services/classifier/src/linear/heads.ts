import type { HeadSpec } from './model.js';

/** The heads of Earshot's linear model and the label order each is trained with. */
export const HEADS = {
  sentiment: { name: 'sentiment', labels: ['negative', 'neutral', 'positive'], kind: 'softmax' },
  emotion: { name: 'emotion', labels: ['anger', 'joy', 'optimism', 'sadness'], kind: 'softmax' },
  offensive: { name: 'offensive', labels: ['offensive'], kind: 'sigmoid' },
  hate: { name: 'hate', labels: ['hateful'], kind: 'sigmoid' },
  complaint: { name: 'complaint', labels: ['complaint'], kind: 'sigmoid' },
  // Hindi as UMSAB has it: romanised and code-mixed with English (Devanagari is left to
  // the script check and franc); lang.ts takes this head's 'hi' only with a Hindi word in the text.
  lang: { name: 'lang', labels: ['ar', 'en', 'fr', 'de', 'it', 'pt', 'es', 'hi'], kind: 'softmax' },
} as const satisfies Record<string, HeadSpec>;

export type HeadName = keyof typeof HEADS;
