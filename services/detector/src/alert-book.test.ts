import { describe, expect, it } from 'vitest';
import { AlertBook, alertKey, type Firing } from './alert-book.js';

const firing = (windowStart: number): Firing => ({
  kind: 'complaint_surge',
  brand: 'acme',
  scope: 'complaint',
  finding: { windowStart, windowEnd: windowStart + 120_000, observed: 9, expected: 0.5, band: [0, 2], score: 0.9, severity: 'warning' },
  summary: '9 complaints in 2 min',
  samples: [],
});

describe('alert book after a restart', () => {
  // The id carries the window start; minutes or seconds of 20 once cut the key short (issue #18.7).
  it.each(['2026-11-20T08:20:00.000Z', '2026-11-20T20:15:20.000Z', '2020-01-20T10:05:00.000Z'])(
    'an open incident opened at %s is continued, not opened twice',
    (start) => {
      const t = Date.parse(start);
      const before = new AlertBook();
      const [opened] = before.apply([firing(t)], t + 120_000);
      expect(opened!.status).toBe('open');
      expect(alertKey(opened!)).toBe('complaint_surge:acme:complaint');

      const after = new AlertBook();
      after.restore([opened!], alertKey);
      const again = after.apply([firing(t + 60_000)], t + 10 * 60_000);
      expect(again.map((a) => [a.id, a.status])).toEqual([[opened!.id, 'updated']]);
      expect(after.openAlerts()).toHaveLength(1);
    },
  );
});
