import {
  RawMentionMessageSchema,
  decodeBatch,
  mentionsEnrichedTopic,
  topicMessage,
  type BusMessage,
  type Bus,
  type Clock,
  type DeadLetters,
  type EnrichedMention,
  type Metrics,
} from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';

/** decode → classify → publish enriched; the bus commits the batch only after this resolves. */
export function createEnrichHandler(deps: {
  classifier: MentionClassifier;
  bus: Bus;
  clock: Clock;
  metrics: Metrics;
  deadLetters: DeadLetters;
  enrichedTopic: string;
}) {
  return async (messages: BusMessage[]): Promise<void> => {
    const decoded = await decodeBatch(messages, RawMentionMessageSchema, deps.deadLetters, 'classifier.decode');
    if (decoded.length === 0) return;
    const end = deps.metrics.classifyLatency.startTimer();
    const enrichments = await deps.classifier.classify(decoded.map((d) => d.value));
    end();
    const enrichedAt = new Date(deps.clock.now()).toISOString();
    const enriched: EnrichedMention[] = decoded.map((d, i) => ({ ...d.value, ...enrichments[i]!, enriched_at: enrichedAt }));
    // Counted by the model that enriched each mention (the adaptive tier mixes two).
    const byModel = new Map<string, number>();
    for (const e of enrichments) byModel.set(e.model.name, (byModel.get(e.model.name) ?? 0) + 1);
    for (const [model, n] of byModel) deps.metrics.classified.inc({ model }, n);
    await deps.bus.publish(
      deps.enrichedTopic,
      enriched.map((m) => topicMessage(mentionsEnrichedTopic, m)),
    );
  };
}
