import type { Alert } from '@earshot/shared';

/** A complaint surge at globex, as the detector publishes one: what the routing tests send, with their own changes. */
export const sampleAlert = (over: Partial<Alert> = {}): Alert => ({
  id: 'complaint_surge:globex:complaint:2026-11-20T08:00:00.000Z',
  kind: 'complaint_surge',
  brand: 'globex',
  status: 'open',
  severity: 'warning',
  severity_score: 7,
  window_start: '2026-11-20T08:00:00.000Z',
  window_end: '2026-11-20T08:15:00.000Z',
  observed: 40,
  expected: 3,
  band: [0, 8],
  score: 0.99,
  summary: '40 complaints in 15 min, about 3 expected',
  sample_mentions: [],
  opened_at: '2026-11-20T08:15:00.000Z',
  updated_at: '2026-11-20T08:15:00.000Z',
  ...over,
});
