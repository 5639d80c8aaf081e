import type { Enrichment, RawMentionMessage } from '@earshot/shared';

/**
 * What enriches mentions. The service only knows this interface, so a model can be
 * swapped (linear model, transformers.js encoder, a hosted classifier) without touching the service.
 * classify() must return one enrichment per input, in order, and never throw for
 * bad text: empty, emoji-only or huge inputs get a defined result.
 */
export interface MentionClassifier {
  readonly model: { name: string; version: string };
  classify(mentions: Pick<RawMentionMessage, 'text' | 'title' | 'lang'>[]): Promise<Enrichment[]>;
  close(): Promise<void>;
}
