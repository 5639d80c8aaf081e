import { consumerHealth, createDeadLetters, mentionsEnrichedTopic, mentionsRawTopic, topicName } from '@earshot/shared';
import type { Deps, Service, Subscription } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { createEnrichHandler } from './enrich-stage.js';

export type { MentionClassifier } from './classifier.js';
export { LinearClassifier, DEFAULT_LINEAR_MODEL } from './linear-classifier.js';
export { TransformersClassifier } from './transformers-classifier.js';
export { AdaptiveClassifier } from './adaptive-classifier.js';
export { WorkerClassifier } from './worker-classifier.js';
export { TextClassificationClassifier, sentimentLabelMap } from './text-classification-classifier.js';
export { createClassifier, DEFAULT_ENCODER, DEFAULT_HEADS, ACCURATE_ENSEMBLE_WEIGHT } from './create-classifier.js';
export { createEnrichHandler } from './enrich-stage.js';

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
      subscription = await bus.subscribe({
        group: topicName(config, CLASSIFIER_GROUP),
        topic: topicName(config, mentionsRawTopic.name),
        maxBatch: config.EARSHOT_BATCH_SIZE,
        maxWaitMs: config.EARSHOT_BATCH_WAIT_MS,
        handler: createEnrichHandler({ classifier, bus, clock, metrics, deadLetters, enrichedTopic: topicName(config, mentionsEnrichedTopic.name) }),
      });
      logger.info({ model: classifier.model }, 'classifier consuming raw mentions');
    },
    async stop() {
      await subscription?.stop();
      await classifier.close();
    },
  };
}
