import { RawMentionMessageSchema } from '../schemas.js';
import { defineTopic, mentionKey } from './topic.js';

export const mentionsRawTopic = defineTopic({
  name: 'earshot.mentions.raw.v1',
  schema: RawMentionMessageSchema,
  key: mentionKey,
  examples: [
    {
      id: '1861234567890123456',
      source: 'twitter',
      text: '@AcmeMobile my data has been down since this morning, again. Fix it please',
      created_at: '2026-11-20T08:14:03Z',
      author: { id: '98765', handle: 'jess_k', name: 'Jess K', followers: 412 },
      url: 'https://x.com/jess_k/status/1861234567890123456',
      lang: 'en',
      brands: ['acme'],
      engagement: { likes: 3, shares: 1, replies: 0, views: 220 },
      ingested_at: '2026-11-20T08:14:05.120Z',
    },
    {
      id: 'r-7781',
      source: 'trustpilot',
      text: 'Switched to Globex last month and the barista app just works. Five stars.',
      title: 'Finally a coffee app that works',
      created_at: '2026-11-19T17:40:00+01:00',
      author: { id: 'tp-5521', handle: 'mark.v' },
      rating: 5,
      brands: ['globex'],
      ingested_at: '2026-11-19T16:41:00.000Z',
    },
  ],
});
