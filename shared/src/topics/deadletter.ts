import { DeadLetterSchema } from '../schemas.js';
import { defineTopic } from './topic.js';

export const deadLetterTopic = defineTopic({
  name: 'earshot.deadletter.v1',
  schema: DeadLetterSchema,
  key: (d) => d.origin,
  examples: [
    {
      origin: 'earshot.mentions.raw.v1',
      stage: 'classifier.decode',
      reason: 'author.handle: Invalid input: expected string, received undefined',
      key: 'twitter:123',
      payload: '{"id":"123","source":"twitter","text":"hi","created_at":"2026-11-20T08:00:00Z","author":{"id":"1"}}',
      payload_bytes: 96,
      at: '2026-11-20T08:00:01Z',
    },
  ],
});
