import { alertsTopic, deadLetterTopic, engagementTopic, eventsTopic, mentionsEnrichedTopic, mentionsRawTopic, type Topic } from './topics/index.js';

/**
 * The whole stream graph in one place: every topic, who publishes to it, and every
 * consumer (its service, group and stages, in order). Services build their consumers
 * from these entries (`defineConsumer`), and a test checks the running services against
 * this file, so it cannot drift from what runs.
 */
export interface ConsumerNode {
  /** Names its metrics and its dead letters' stage (`<name>.decode`, `<name>.<stage>`); kept stable for dashboards. */
  readonly name: string;
  readonly service: string;
  readonly topic: Topic;
  /** Consumer group, before EARSHOT_TOPIC_PREFIX. */
  readonly group: string;
  /** The stages after decoding, in order. */
  readonly stages: readonly string[];
  /**
   * What becomes of a message that does not decode: the dead-letter topic (the default),
   * or a log line, for the dead-letter topic's own consumer (sending it on could loop).
   */
  readonly undecodable?: 'dead-letter' | 'log';
}

export interface TopicNode {
  readonly topic: Topic;
  /** Services (or entry points) that publish to it. */
  readonly publishers: readonly string[];
}

export const STREAM_TOPICS: readonly TopicNode[] = [
  { topic: mentionsRawTopic, publishers: ['ingest (HTTP, hooks, replay, connectors)'] },
  { topic: mentionsEnrichedTopic, publishers: ['classifier'] },
  { topic: eventsTopic, publishers: ['api (POST /v1/events)', 'cli (events import)'] },
  { topic: engagementTopic, publishers: ['ingest (engagement refresh)'] },
  { topic: alertsTopic, publishers: ['detector'] },
  { topic: deadLetterTopic, publishers: ['every consumer runner', 'ingest', 'writer (rows ClickHouse refused)'] },
];

export const STREAM_CONSUMERS = {
  classifier: { name: 'classifier', service: 'classifier', topic: mentionsRawTopic, group: 'earshot-classifier', stages: ['classify', 'story', 'publish'] },
  writerMentions: {
    name: 'writer',
    service: 'writer',
    topic: mentionsEnrichedTopic,
    group: 'earshot-writer.mentions',
    stages: ['write'],
  },
  writerEvents: { name: 'writer.events', service: 'writer', topic: eventsTopic, group: 'earshot-writer.events', stages: ['write'] },
  writerDeadLetters: {
    name: 'writer.dead_letters',
    service: 'writer',
    topic: deadLetterTopic,
    group: 'earshot-writer.dead_letters',
    stages: ['write'],
    undecodable: 'log',
  },
  writerEngagement: { name: 'writer.engagement', service: 'writer', topic: engagementTopic, group: 'earshot-writer.engagement', stages: ['update'] },
  notifier: { name: 'notifier', service: 'notifier', topic: alertsTopic, group: 'earshot-notifier', stages: ['deliver'] },
} as const satisfies Record<string, ConsumerNode>;

export type ConsumerId = keyof typeof STREAM_CONSUMERS;
