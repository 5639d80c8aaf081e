import { describe, expect, it } from 'vitest';
import { SENSITIVITY, detectSurge, detectViral, type BucketSeries } from './detectors.js';
import { poissonUpperTail } from './poisson.js';
import { AlertBook } from './alert-book.js';

const MIN = 60_000;
/** `days` days of per-minute counts from `rate` per hour, spread evenly, then `tail` appended. */
function series(ratePerHour: number, days: number, tail: number[]): BucketSeries {
  const counts: number[] = [];
  const every = 60 / ratePerHour;
  for (let i = 0; i < days * 1440; i++) counts.push(i % Math.round(every) === 0 ? 1 : 0);
  return { start: 0, bucketMs: MIN, counts: [...counts, ...tail] };
}

describe('surge detection', () => {
  it('computes Poisson tails', () => {
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(poissonUpperTail(1, 1)).toBeCloseTo(1 - Math.exp(-1), 10);
    expect(poissonUpperTail(500, 100)).toBeLessThan(1e-100);
  });

  it('pages on a smaller rise at high sensitivity, a larger one only at low', () => {
    // 30 an hour (one every 2 minutes), then 3 a minute for 5 minutes: 6× expected.
    const burst = series(30, 3, [3, 3, 3, 3, 3]);
    expect(detectSurge(burst, SENSITIVITY.high.surge)).not.toBeNull();
    expect(detectSurge(burst, SENSITIVITY.medium.surge)).not.toBeNull();
    // 13 in 5 minutes against 2.5 expected: p ≈ 2.4e-6, past high's 1e-5 but not medium's 1e-6.
    const mild = series(30, 3, [3, 3, 3, 2, 2]);
    expect(detectSurge(mild, SENSITIVITY.high.surge)).not.toBeNull();
    expect(detectSurge(mild, SENSITIVITY.medium.surge)).toBeNull();
    expect(detectSurge(mild, SENSITIVITY.low.surge)).toBeNull();
  });

  it('stays quiet for a brand with 3 mentions an hour that gets 6', () => {
    const tail = new Array(60).fill(0);
    for (let i = 0; i < 60; i += 10) tail[i] = 1;
    expect(detectSurge(series(3, 3, tail))).toBeNull();
  });

  it('fires on a burst far above the seasonal baseline, with the window and band', () => {
    const f = detectSurge(series(6, 3, [0, 0, 0, 4, 5]));
    expect(f).not.toBeNull();
    expect(f!.observed).toBe(9);
    expect(f!.observed).toBeGreaterThan(f!.band[1]);
    expect(f!.score).toBeGreaterThan(0.999999);
  });

  it('flags a negative post spreading far faster than the brand norm, not an ordinary one', () => {
    const now = 10 * MIN;
    const found = detectViral(
      [
        { source: 'x', id: 'hot', url: 'u', created_at: now - 2 * MIN, followers: 300, engagement: 900 },
        { source: 'x', id: 'ordinary', url: 'u', created_at: now - 2 * MIN, followers: 300, engagement: 3 },
      ],
      { engagementP95: 5, followersP95: 800 },
      now,
    );
    expect(found.map((f) => f.id)).toEqual(['hot']);
    expect(found[0]!.reason).toMatch(/450 interactions\/min/);
  });
});

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
