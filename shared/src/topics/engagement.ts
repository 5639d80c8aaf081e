import { EngagementUpdateSchema } from '../schemas.js';
import { defineTopic, mentionKey } from './topic.js';

/** Engagement refreshes for recent mentions (or word that one is gone upstream), keyed like the mention so they stay in order with it. */
export const engagementTopic = defineTopic({
  name: 'earshot.engagement.v1',
  schema: EngagementUpdateSchema,
  key: mentionKey,
  examples: [
    {
      source: 'twitter',
      id: '1861234567890123456',
      engagement: { likes: 1520, shares: 410, replies: 233, views: 98000 },
      followers: 1200,
      observed_at: '2026-11-20T08:05:00Z',
    },
    {
      source: 'reddit',
      id: 't3_1h2k3l4',
      engagement: { likes: 88, shares: 0, replies: 41, views: 0 },
      observed_at: '2026-11-20T08:10:00Z',
    },
    { source: 'reddit', id: 't1_kq2w3e4', engagement: {}, deleted: true, observed_at: '2026-11-20T08:15:00Z' },
  ],
});
