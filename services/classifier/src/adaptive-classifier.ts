import type { Enrichment } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';

export interface AdaptiveOptions {
  /** The better, slower tier. */
  accurate: MentionClassifier;
  /** The tier that always keeps up. */
  fast: MentionClassifier;
  /** Milliseconds since some fixed point (the service clock). */
  now: () => number;
  /**
   * The least time a batch may take on the accurate tier, whatever the arrival rate:
   * a quiet stream's first mention after a pause is still classified accurately.
   */
  minBudgetMs: number;
}

/**
 * The accurate tier whenever it keeps up with the stream, the fast tier per batch when
 * it would not. A batch goes to the accurate tier when its expected cost (the batch's
 * size times the accurate tier's measured time per mention) fits in the time the stream
 * took to deliver it (since the previous batch was done). Under a backlog, batches
 * arrive full and at once, so they go to the fast tier until the backlog drains. Each
 * enrichment's `model` names the tier that made it.
 */
export class AdaptiveClassifier implements MentionClassifier {
  readonly model: { name: string; version: string };
  private msPerMention: number | null = null;
  private lastDone: number | null = null;

  constructor(private readonly opts: AdaptiveOptions) {
    this.model = { name: `adaptive(${opts.accurate.model.name}|${opts.fast.model.name})`, version: opts.accurate.model.version };
  }

  /** Which tier the next batch of this size would go to. */
  choose(size: number): 'accurate' | 'fast' {
    if (this.msPerMention === null || this.lastDone === null) return 'accurate';
    const budget = Math.max(this.opts.minBudgetMs, this.opts.now() - this.lastDone);
    return size * this.msPerMention <= budget ? 'accurate' : 'fast';
  }

  async classify(mentions: Parameters<MentionClassifier['classify']>[0]): Promise<Enrichment[]> {
    const tier = this.choose(mentions.length);
    try {
      if (tier === 'fast') return await this.opts.fast.classify(mentions);
      const t0 = this.opts.now();
      const out = await this.opts.accurate.classify(mentions);
      if (mentions.length > 0) {
        const per = (this.opts.now() - t0) / mentions.length;
        // A moving average: one slow batch (a cold start, a pause) does not decide alone.
        this.msPerMention = this.msPerMention === null ? per : 0.7 * this.msPerMention + 0.3 * per;
      }
      return out;
    } finally {
      this.lastDone = this.opts.now();
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.opts.accurate.close(), this.opts.fast.close()]);
  }
}
