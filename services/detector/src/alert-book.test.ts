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

describe('alert texts', () => {
  const MIN = 60_000;
  const surge = (
    observed: number,
    expected: number,
    windowStart: number,
    windowEnd: number,
    severity: 'info' | 'warning' | 'critical' = 'critical',
  ): Firing => ({
    kind: 'complaint_surge',
    brand: 'acme',
    scope: 'complaint',
    finding: { windowStart, windowEnd, observed, expected, band: [0, 2 * expected], score: 0.99, severity },
    summary: `${observed} complaints in ${Math.round((windowEnd - windowStart) / MIN)} min`,
    samples: [],
  });

  it('gives the window the summary counts over, as the incident goes on', () => {
    const book = new AlertBook();
    book.apply([surge(9, 0.5, 0, 5 * MIN)], 5 * MIN);
    const [updated] = book.apply([surge(152, 20, 0, 75 * MIN)], 75 * MIN);
    expect(updated!.summary).toBe('152 complaints in 75 min');
    expect((Date.parse(updated!.window_end) - Date.parse(updated!.window_start)) / MIN).toBe(75);
  });

  it('labels severity as its 1–10 score reads, and keeps a detector’s “info” from paging', () => {
    const book = new AlertBook();
    const [big] = book.apply([surge(200, 2, 0, 15 * MIN)], 15 * MIN);
    expect(big!.severity_score).toBeGreaterThanOrEqual(8);
    expect(big!.severity).toBe('critical');
    const [news] = book.apply([{ ...surge(200, 2, 0, 15 * MIN, 'info'), scope: 'campaign' }], 16 * MIN);
    expect(news!.severity).toBe('info');
    expect(news!.severity_score).toBeLessThanOrEqual(3);
  });

  it('says when and why it resolved', () => {
    const book = new AlertBook({ resolveAfterMs: 15 * MIN, updateEveryMs: 5 * MIN, cooldownMs: 30 * MIN });
    book.apply([surge(9, 0.5, 0, 5 * MIN)], 5 * MIN);
    expect(book.openedAt({ kind: 'complaint_surge', brand: 'acme', scope: 'complaint' })).toBe(5 * MIN);
    const [resolved] = book.apply([], 21 * MIN);
    expect(resolved!.status).toBe('resolved');
    expect(resolved!.summary).toBe('9 complaints in 5 min (resolved: back within its usual range for 16 min)');
    expect(book.openedAt({ kind: 'complaint_surge', brand: 'acme', scope: 'complaint' })).toBeNull();
  });
});
