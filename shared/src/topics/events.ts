import { CampaignEventSchema } from '../schemas.js';
import { defineTopic } from './topic.js';

export const eventsTopic = defineTopic({
  name: 'earshot.events.v1',
  schema: CampaignEventSchema,
  key: (e) => `${e.brand}:${e.id}`,
  examples: [
    {
      id: 'winter-launch-2026',
      brand: 'acme',
      kind: 'campaign',
      title: 'Winter unlimited plan launch',
      starts_at: '2026-11-18T09:00:00Z',
      ends_at: '2026-12-02T00:00:00Z',
      channels: ['twitter', 'youtube'],
    },
    {
      id: 'inc-2026-11-20',
      brand: 'globex',
      kind: 'outage',
      title: 'Mobile ordering outage',
      starts_at: '2026-11-20T07:50:00Z',
    },
  ],
});
