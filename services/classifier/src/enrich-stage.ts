import {
  STREAM_CONSUMERS,
  defineConsumer,
  forAll,
  mentionsEnrichedTopic,
  ok,
  publishTo,
  type Bus,
  type Clock,
  type Config,
  type EnrichedMention,
  type Metrics,
  type RawMentionMessage,
  type Stage,
} from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { storyStage, type StreamStories } from './stories/stream-stories.js';

/** Raw mentions in, enriched mentions out: classify, give each its story (unless off), then publish (the runner decodes and commits). */
export function enrichConsumer(deps: {
  classifier: MentionClassifier;
  /** Stories in the stream; without it, mentions pass the story stage unchanged (EARSHOT_STORIES=0). */
  stories?: StreamStories;
  bus: Bus;
  clock: Clock;
  metrics: Metrics;
  config: Pick<Config, 'EARSHOT_TOPIC_PREFIX'>;
}) {
  return defineConsumer(STREAM_CONSUMERS.classifier, [
    classifyStage(deps),
    storyStage(deps.stories),
    forAll((enriched) => publishTo(deps.bus, deps.config, mentionsEnrichedTopic, enriched)),
  ]);
}

function classifyStage(deps: { classifier: MentionClassifier; clock: Clock; metrics: Metrics }): Stage<RawMentionMessage, EnrichedMention> {
  return async (mentions) => {
    const end = deps.metrics.classifyLatency.startTimer();
    const enrichments = await deps.classifier.classify(mentions);
    end();
    const enrichedAt = new Date(deps.clock.now()).toISOString();
    // Counted by the model that enriched each mention (the adaptive tier mixes two).
    const byModel = new Map<string, number>();
    for (const e of enrichments) byModel.set(e.model.name, (byModel.get(e.model.name) ?? 0) + 1);
    for (const [model, n] of byModel) deps.metrics.classified.inc({ model }, n);
    // A brand's own post carries no customer intent or journey stage: its "sorry, we're on it"
    // is no complaint, nor its "can you DM us?" a question, for every reader of intents
    // (rollups, detectors, care, filters).
    // The story stage's fields made here, unset (JSON leaves them out): setting them on an
    // object made without them cost the story stage more than its clustering.
    return mentions.map((m, i) =>
      ok({
        ...m,
        ...enrichments[i]!,
        ...(m.from_brand ? { intents: [], journey_stage: null } : {}),
        enriched_at: enrichedAt,
        story_id: undefined,
        story_label: undefined,
      }),
    );
  };
}
