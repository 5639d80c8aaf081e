import type { z } from 'zod';
import type { Bus } from '../bus/types.js';
import { topicName, type Config } from '../config.js';
import { topicMessage, type Topic } from './topic.js';

/**
 * The one way to publish: values valid against the topic's schema, keyed by the topic's
 * key, to the topic under the configured prefix.
 */
export async function publishTo<S extends z.ZodType>(
  bus: Bus,
  config: Pick<Config, 'EARSHOT_TOPIC_PREFIX'>,
  topic: Topic<S>,
  values: readonly z.infer<S>[],
): Promise<void> {
  if (values.length === 0) return;
  await bus.publish(
    topicName(config, topic.name),
    values.map((v) => topicMessage(topic, v)),
  );
}
