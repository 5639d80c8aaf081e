import { describe, expect, it } from 'vitest';
import { AlertBook } from './alert-book.js';

const MIN = 60_000;

describe('alert lifecycle', () => {
  const finding = (observed: number, severity: 'info' | 'warning' | 'critical' = 'warning') => ({
    observed,
    expected: 1,
    band: [0, 4] as [number, number],
    score: 0.9999,
    severity,
    windowStart: 0,
    windowEnd: 5 * MIN,
  });
  const firing = (observed: number, severity?: 'critical') => ({
    kind: 'complaint_surge' as const,
    brand: 'b',
    scope: 'complaint',
    finding: finding(observed, severity),
    summary: 's',
    samples: [],
  });

  it('opens once, updates sparingly, escalates at once, resolves after a quiet spell', () => {
    const book = new AlertBook({ resolveAfterMs: 15 * MIN, updateEveryMs: 5 * MIN, cooldownMs: 30 * MIN });
    const [opened] = book.apply([firing(10)], 0);
    expect(opened!.status).toBe('open');
    expect(book.apply([firing(11)], MIN)).toEqual([]);
    expect(book.apply([firing(30, 'critical')], 2 * MIN)[0]).toMatchObject({ id: opened!.id, status: 'updated', severity: 'critical' });
    expect(book.apply([], 10 * MIN)).toEqual([]);
    expect(book.apply([], 18 * MIN)[0]).toMatchObject({ id: opened!.id, status: 'resolved' });
    // Firing again within the cooldown continues the same incident.
    expect(book.apply([firing(9)], 25 * MIN)[0]).toMatchObject({ id: opened!.id, status: 'updated' });
  });
});
