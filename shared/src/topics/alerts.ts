import { AlertSchema } from '../schemas.js';
import { defineTopic } from './topic.js';

export const alertsTopic = defineTopic({
  name: 'earshot.alerts.v1',
  schema: AlertSchema,
  key: (a) => `${a.brand}:${a.id}`,
  examples: [
    {
      id: 'complaint_surge:globex:2026-11-20T08:00Z',
      kind: 'complaint_surge',
      brand: 'globex',
      status: 'open',
      severity: 'critical',
      window_start: '2026-11-20T08:00:00Z',
      window_end: '2026-11-20T08:15:00Z',
      observed: 140,
      expected: 12,
      band: [4, 25],
      score: 0.98,
      intent: 'complaint',
      summary: 'Complaints about "app", "order", "down" up 11x in 15 minutes',
      sample_mentions: [{ source: 'twitter', id: '1861234567890123456', url: 'https://x.com/jess_k/status/1861234567890123456' }],
      opened_at: '2026-11-20T08:15:10Z',
      updated_at: '2026-11-20T08:15:10Z',
    },
  ],
});
