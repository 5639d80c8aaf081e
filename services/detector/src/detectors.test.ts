import { describe, expect, it } from 'vitest';
import { SENSITIVITY, detectSentimentDrop, detectSilence, detectSurge, detectViral, type BucketSeries } from './detectors.js';
import { negativeBinomialUpperTail, poissonUpperTail } from './poisson.js';
import { AlertBook } from './alert-book.js';
import { complaintSurge, negativeSurge, type BrandSeries } from './registry.js';

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

  it('computes negative binomial tails: clumped counts make a burst far likelier than a Poisson says', () => {
    // Mean 1, variance 2: a geometric with success chance 1/2, P(X ≥ 3) = 1/8.
    expect(negativeBinomialUpperTail(3, 1, 2)).toBeCloseTo(0.125, 10);
    expect(negativeBinomialUpperTail(7, 0.5, 1)).toBeCloseTo(poissonUpperTail(7, 0.5), 12);
    // Seven where 0.5 were expected, at a dispersion of only 1.08: eight times the Poisson's.
    expect(negativeBinomialUpperTail(7, 0.5, 1.08) / poissonUpperTail(7, 0.5)).toBeGreaterThan(8);
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

  it("flags a large author's negative post while it is fresh, not for hours after when nobody engages", () => {
    const post = { source: 'x', id: 'big', url: 'u', created_at: 0, followers: 50_000, engagement: 10 };
    const norms = { engagementP95: 5, followersP95: 800 };
    expect(detectViral([post], norms, 10 * MIN).map((f) => f.reason)).toEqual(['author with 50,000 followers']);
    expect(detectViral([post], norms, 90 * MIN)).toEqual([]);
    // Still spreading fast later: its engagement keeps it flagged.
    expect(detectViral([{ ...post, engagement: 3_000 }], norms, 90 * MIN).map((f) => f.id)).toEqual(['big']);
  });
});

describe('silence and sentiment drops', () => {
  /** `days` days at `perMinute` (one day, `busyDay` ago, ten times busier), then `tail`. */
  const steady = (perMinute: number, days: number, tail: number[], busyDay?: number): BucketSeries => {
    const counts: number[] = [];
    for (let i = 0; i < days * 1440; i++) counts.push(busyDay !== undefined && Math.floor(i / 1440) === days - busyDay ? 10 * perMinute : perMinute);
    return { start: 0, bucketMs: MIN, counts: [...counts, ...tail] };
  };

  it('calls a busy source silent within ten minutes, a quiet one only over hours', () => {
    const busy = detectSilence(steady(3, 8, new Array(10).fill(0)));
    expect(busy).toMatchObject({ observed: 0, expected: 30 });
    expect(detectSilence(steady(3, 8, new Array(9).fill(0)))).toBeNull();
    // 4 an hour: 240 minutes of nothing is 16 expected; two hours (8) is not enough.
    const quiet = (minutes: number) => Array.from(steady(1, 8, new Array(minutes).fill(0)).counts).map((c, i) => (i < 8 * 1440 && i % 15 ? 0 : c));
    expect(detectSilence({ start: 0, bucketMs: MIN, counts: quiet(120) })).toBeNull();
    expect(detectSilence({ start: 0, bucketMs: MIN, counts: quiet(240) })).toMatchObject({ expected: 16 });
  });

  it('does not take a lull for silence because an earlier day was ten times busier', () => {
    // 1 a minute, but a campaign day 3 days ago at 10: pooled, 12 minutes of nothing would look like 25 missed.
    expect(detectSilence(steady(1, 8, new Array(12).fill(0), 3))).toBeNull();
    expect(detectSilence(steady(1, 8, new Array(30).fill(0), 3))).toMatchObject({ expected: 30 });
  });

  it('does not call an ordinary day a sentiment drop because an earlier day was a campaign', () => {
    // Net sentiment +0.2 on ordinary days (4 positive, 2 negative of 10), +0.8 on a campaign day of ten times the
    // volume two days ago; now an ordinary half hour at +0.1.
    const days = 8;
    const make = (ordinary: number, campaign: number, now: number) => {
      const counts: number[] = [];
      for (let i = 0; i < days * 1440; i++) counts.push(Math.floor(i / 1440) === days - 2 ? campaign : ordinary);
      return { start: 0, bucketMs: MIN, counts: [...counts, ...new Array(30).fill(now)] };
    };
    const total = make(10, 100, 10);
    expect(detectSentimentDrop(make(4, 85, 3), make(2, 5, 2), total)).toBeNull();
    // A real fall, to −0.5 (1 positive, 6 negative of 10), still pages.
    expect(detectSentimentDrop(make(4, 85, 1), make(2, 5, 6), total)).toMatchObject({ observed: -0.5, expected: 0.2 });
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

describe('negative and complaint surges against the whole volume', () => {
  /** Three days of a steady 5 mentions a minute, 1 of them a negative complaint, then `tail` as [total, negative] minutes. */
  function brand(tail: [number, number][]): BrandSeries {
    const total = [...new Array(3 * 1440).fill(5), ...tail.map(([t]) => t)];
    const negative = [...new Array(3 * 1440).fill(1), ...tail.map(([, n]) => n)];
    const positive = total.map((t, i) => Math.floor((t - negative[i]!) / 2));
    const s = (counts: number[]): BucketSeries => ({ start: 0, bucketMs: MIN, counts });
    return {
      now: total.length * MIN,
      total: s(total),
      positive: s(positive),
      negative: s(negative),
      complaints: s(negative),
      bySource: new Map(),
      viral: { candidates: [], norms: { engagementP95: 5, followersP95: 800 } },
    };
  }

  it('does not page when a burst of traffic brings negatives at about their usual share', () => {
    // Five minutes of 15 a minute (3×), 5 of them negative (5×): a ratio of ratios (5 > 1.5 × 3)
    // called this a problem; 25 negatives of 75 mentions is well within chance at a 20% share.
    const burst = brand(new Array(5).fill([15, 5]));
    expect(detectSurge(burst.negative)).not.toBeNull();
    expect(negativeSurge.detect(burst, SENSITIVITY.medium)).toEqual([]);
    expect(complaintSurge.detect(burst, SENSITIVITY.medium)).toEqual([]);
  });

  it('pages when the same number of negatives arrives without the crowd', () => {
    const outage = brand(new Array(5).fill([9, 5]));
    const found = negativeSurge.detect(outage, SENSITIVITY.medium);
    expect(found).toHaveLength(1);
    expect(found[0]!.summary).toMatch(/^25 negative mentions in 5 min/);
    expect(complaintSurge.detect(outage, SENSITIVITY.medium).map((d) => d.summary)).toEqual([expect.stringMatching(/^25 complaints in 5 min/)]);
  });
});
