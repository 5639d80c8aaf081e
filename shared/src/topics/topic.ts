import type { z } from 'zod';

/** A Kafka topic's contract: its name, the schema of its values and how messages are keyed. */
export interface Topic<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
  readonly key: (value: z.infer<S>) => string;
  readonly examples: readonly z.input<S>[];
}

export function defineTopic<S extends z.ZodType>(topic: Topic<S>): Topic<S> {
  return topic;
}

/**
 * A value valid against the topic's schema, as a message for it: keyed, encoded, and
 * carrying the value itself, which a consumer in the same process takes as is
 * (OutgoingMessage.decoded) instead of decoding it again.
 */
export function topicMessage<S extends z.ZodType>(
  topic: Topic<S>,
  value: z.infer<S>,
): { key: string; value: string; decoded: { schema: S; value: z.infer<S> } } {
  return { key: topic.key(value), value: JSON.stringify(value), decoded: { schema: topic.schema, value } };
}

/** The key that keeps every version of one mention on one partition, in order. */
export function mentionKey(m: { source: string; id: string }): string {
  return `${m.source}:${m.id}`;
}
