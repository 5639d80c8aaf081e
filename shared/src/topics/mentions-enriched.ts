import { EnrichedMentionSchema } from '../schemas.js';
import { defineTopic, mentionKey } from './topic.js';
import { mentionsRawTopic } from './mentions-raw.js';

const [raw] = mentionsRawTopic.examples;

export const mentionsEnrichedTopic = defineTopic({
  name: 'earshot.mentions.enriched.v1',
  schema: EnrichedMentionSchema,
  key: mentionKey,
  examples: [
    {
      ...raw!,
      brands: ['acme'],
      sentiment: { label: 'negative', score: -0.42, probs: { negative: 0.62, neutral: 0.3, positive: 0.08 } },
      intents: [{ label: 'complaint', score: 0.91 }],
      emotion: { anger: 0.7, joy: 0.02, optimism: 0.05, sadness: 0.23 },
      toxicity: { offensive: 0.04, hateful: 0.01 },
      lang: 'en',
      journey_stage: 'service',
      model: { name: 'earshot-linear-fast', version: '1.0.0' },
      enriched_at: '2026-11-20T08:14:05.300Z',
    },
  ],
});
