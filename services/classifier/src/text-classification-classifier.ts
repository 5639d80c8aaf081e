import type { TextClassificationPipeline } from '@huggingface/transformers';
import type { Enrichment } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { LinearModel } from './linear/model.js';
import { loadPipeline, prepare, type EncoderOptions } from './encoder.js';
import { averageProbabilities, enrichAll } from './transformers-classifier.js';
import type { Probabilities } from './probabilities.js';

type Sentiment = 'negative' | 'neutral' | 'positive';

/** A model's labels → Earshot's sentiment labels, by name (neg/neu/pos) or by position (LABEL_0…). */
export function sentimentLabelMap(labels: string[]): Record<string, Sentiment> {
  const byName = labels.map((l) => {
    const x = l.toLowerCase();
    return x.startsWith('neg') ? 'negative' : x.startsWith('neu') ? 'neutral' : x.startsWith('pos') ? 'positive' : null;
  });
  if (byName.every(Boolean)) return Object.fromEntries(labels.map((l, i) => [l, byName[i]!]));
  const positional: Sentiment[] | null = labels.length === 3 ? ['negative', 'neutral', 'positive'] : labels.length === 2 ? ['negative', 'positive'] : null;
  if (positional && labels.every((l, i) => l.toUpperCase() === `LABEL_${i}`)) return Object.fromEntries(labels.map((l, i) => [l, positional[i]!]));
  throw new Error(`cannot read the labels ${JSON.stringify(labels)} as sentiment (expected negative/neutral/positive, or LABEL_0..2)`);
}

/**
 * The accurate tier on a Hugging Face text-classification (sentiment) model, e.g. a
 * Twitter sentiment model: its probabilities are averaged with the fast tier's
 * sentiment; the other heads (emotion, toxicity, complaint, language) come from the fast tier.
 */
export class TextClassificationClassifier implements MentionClassifier {
  readonly model: { name: string; version: string };

  private constructor(
    private readonly pipe: TextClassificationPipeline,
    private readonly labels: Record<string, Sentiment>,
    private readonly linear: LinearModel,
    private readonly opts: EncoderOptions & { weight: number },
  ) {
    this.model = { name: `earshot-ensemble(${opts.model.split('/').filter(Boolean).pop()}+${linear.name})`, version: linear.version };
  }

  static async load(opts: EncoderOptions & { linearPath: string; weight: number }): Promise<TextClassificationClassifier> {
    const pipe = (await loadPipeline('text-classification', opts)) as TextClassificationPipeline;
    const id2label = (pipe.model.config as { id2label?: Record<string, string> }).id2label ?? {};
    let labels: Record<string, Sentiment>;
    try {
      labels = sentimentLabelMap(Object.values(id2label));
    } catch (err) {
      await pipe.dispose();
      throw new Error(`"${opts.model}": ${(err as Error).message}`);
    }
    return new TextClassificationClassifier(pipe, labels, LinearModel.load(opts.linearPath), opts);
  }

  async probabilities(texts: string[]): Promise<Probabilities[]> {
    const out: Probabilities[] = [];
    for (let i = 0; i < texts.length; i += this.opts.batchSize) {
      const batch = texts.slice(i, i + this.opts.batchSize);
      // top_k 0 or null: every label; the typings only admit a number.
      const results = (await this.pipe(batch.map(prepare), { top_k: null as unknown as number })) as unknown as { label: string; score: number }[][];
      batch.forEach((t, j) => {
        const sentiment: Record<string, number> = { negative: 0, neutral: 0, positive: 0 };
        for (const r of results[j] ?? []) sentiment[this.labels[r.label]!] = (sentiment[this.labels[r.label]!] ?? 0) + r.score;
        out.push(averageProbabilities(this.linear.predict(t), { sentiment }, this.opts.weight));
      });
    }
    return out;
  }

  async classify(mentions: { text: string; title?: string; lang?: string }[]): Promise<Enrichment[]> {
    return enrichAll(mentions, (texts) => this.probabilities(texts), this.model);
  }

  async close(): Promise<void> {
    await this.pipe.dispose();
  }
}
