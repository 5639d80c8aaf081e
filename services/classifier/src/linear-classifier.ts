import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MentionClassifier } from './classifier.js';
import type { Enrichment } from '@earshot/shared';
import { LinearModel } from './linear/model.js';
import { emptyEnrichment, enrichmentFrom, mentionText } from './enrichment.js';

export const DEFAULT_LINEAR_MODEL = join(dirname(fileURLToPath(import.meta.url)), '../models/earshot-linear-fast.bin');

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
