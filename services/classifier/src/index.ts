import { consumerHealth, createDeadLetters, runConsumer } from '@earshot/shared';
import type { Deps, Service, Subscription } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { enrichConsumer } from './enrich-stage.js';
import { StaticEmbedding } from './stories/static-embedding.js';
import { DEFAULT_STORY_EMBEDDING } from './stories/story-embedding.js';
import { StreamStories } from './stories/stream-stories.js';

export type { MentionClassifier } from './classifier.js';
export { LinearClassifier, DEFAULT_LINEAR_MODEL } from './linear-classifier.js';
export { TransformersClassifier } from './transformers-classifier.js';
export { AdaptiveClassifier } from './adaptive-classifier.js';
export { WorkerClassifier } from './worker-classifier.js';
export { TextClassificationClassifier, sentimentLabelMap } from './text-classification-classifier.js';
export { createClassifier, DEFAULT_ENCODER, DEFAULT_HEADS, ACCURATE_ENSEMBLE_WEIGHT } from './create-classifier.js';
export { enrichConsumer } from './enrich-stage.js';
export * from './stories/index.js';

export const CLASSIFIER_GROUP = 'earshot-classifier';

/** The classifier service: raw mentions in, enriched mentions out, one consumer group. */
export function createClassifierService(deps: Deps, classifier: MentionClassifier): Service {
  const { config, bus, clock, metrics, logger } = deps;
  const deadLetters = createDeadLetters(deps);
  let subscription: Subscription | null = null;
  return {
    name: 'classifier',
    health: [
      {
        name: 'classifier.consumer',
        check: () => consumerHealth(subscription, clock.now(), config.EARSHOT_STALL_SECONDS),
      },
    ],
    async start() {
      const stories = config.EARSHOT_STORIES ? new StreamStories(StaticEmbedding.load(DEFAULT_STORY_EMBEDDING)) : undefined;
      subscription = await runConsumer(enrichConsumer({ classifier, stories, bus, clock, metrics, config }), {
        bus,
        config,
        clock,
        metrics,
        deadLetters,
        logger,
      });
      logger.info({ model: classifier.model }, 'classifier consuming raw mentions');
    },
    // The classifier is closed by whoever made it (the runtime, or a caller that passed its own): closing it here too disposed its model sessions twice.
    async stop() {
      await subscription?.stop();
    },
  };
}
