import type { Enrichment } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { mentionText } from './enrichment.js';

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
  /**
   * Which of the fast tier's readings are worth the accurate tier's time (routing.ts).
   * With it, a batch too large for the accurate tier still sends it those it routes, when they fit.
   */
  route?: (text: string, fast: Enrichment) => boolean;
  /**
   * The most of the wall time the accurate tier may take (0..1), over and above keeping up:
   * its threads share the cores with ingest and the writer, so under a backlog a free hand
   * would halve the pipeline's throughput. Unset: no such limit.
   */
  share?: number;
}

/** Accurate-tier time saved up while quiet, for the burst after a pause (with a share set). */
const BURST_MS = 1000;

/**
 * The accurate tier whenever it keeps up with the stream, the fast tier per batch when
 * it would not. A batch goes to the accurate tier when its expected cost (the batch's
 * size times the accurate tier's measured time per mention) fits in the time the stream
 * took to deliver it (since the previous batch was done). With a route, a batch that does
 * not fit is read by the fast tier first and only the mentions it routes (unsure, or with
 * a complaint, churn or sarcasm cue) go to the accurate tier, if they fit. Under a
 * backlog, batches arrive full and at once, so they stay with the fast tier until the
 * backlog drains. Each enrichment's `model` names the tier that made it.
 */
export class AdaptiveClassifier implements MentionClassifier {
  readonly model: { name: string; version: string };
  private msPerMention: number | null = null;
  private lastDone: number | null = null;
  private credit = BURST_MS;
  private creditSince: number | null = null;

  constructor(private readonly opts: AdaptiveOptions) {
    this.model = { name: `adaptive(${opts.accurate.model.name}|${opts.fast.model.name})`, version: opts.accurate.model.version };
  }

  /** Which tier the next batch of this size would go to. */
  choose(size: number): 'accurate' | 'fast' {
    if (this.msPerMention === null) return 'accurate';
    const now = this.opts.now();
    const budget = Math.max(this.opts.minBudgetMs, this.lastDone === null ? 0 : now - this.lastDone);
    const cost = size * this.msPerMention;
    return cost <= budget && cost <= this.creditAt(now) ? 'accurate' : 'fast';
  }

  /** The accurate-tier time left within the share, earned as wall time passes. */
  private creditAt(now: number): number {
    if (this.opts.share === undefined) return Infinity;
    if (this.creditSince !== null) this.credit = Math.min(BURST_MS, this.credit + this.opts.share * (now - this.creditSince));
    this.creditSince = now;
    return this.credit;
  }

  /**
   * Measures the accurate tier's cost on a few texts before the stream starts, so that a
   * backlog waiting at start is not given whole to the accurate tier to learn its cost.
   */
  async measure(texts: string[]): Promise<void> {
    await this.accurate(texts.map((text) => ({ text })));
  }

  async classify(mentions: Parameters<MentionClassifier['classify']>[0]): Promise<Enrichment[]> {
    try {
      if (this.choose(mentions.length) === 'accurate') return await this.accurate(mentions);
      const fast = await this.opts.fast.classify(mentions);
      const route = this.opts.route;
      if (!route) return fast;
      const routed = mentions.map((m, i) => (route(mentionText(m), fast[i]!) ? i : -1)).filter((i) => i >= 0);
      if (routed.length === 0 || this.choose(routed.length) === 'fast') return fast;
      const better = await this.accurate(routed.map((i) => mentions[i]!));
      routed.forEach((i, k) => (fast[i] = better[k]!));
      return fast;
    } finally {
      this.lastDone = this.opts.now();
    }
  }

  private async accurate(mentions: Parameters<MentionClassifier['classify']>[0]): Promise<Enrichment[]> {
    const t0 = this.opts.now();
    const out = await this.opts.accurate.classify(mentions);
    const spent = this.opts.now() - t0;
    this.credit -= spent;
    if (mentions.length > 0) {
      const per = spent / mentions.length;
      // A moving average: one slow batch (a cold start, a pause) does not decide alone.
      this.msPerMention = this.msPerMention === null ? per : 0.7 * this.msPerMention + 0.3 * per;
    }
    return out;
  }

  async close(): Promise<void> {
    await Promise.all([this.opts.accurate.close(), this.opts.fast.close()]);
  }
}
