import { poisson, seededRandom, type BucketSeries } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { AlertBook } from '../alert-book.js';
import { detectSurge } from '../checks/count-surge.js';
import { surgeAt } from '../core/surge.js';
import { complaintSurge } from './complaint-surge.js';
import type { BrandSeries } from './contract.js';
import { negativeSurge } from './negative-volume-surge.js';
import { DETECTORS } from './registry.js';
import { SENSITIVITY } from './sensitivity.js';
import { volumeSpike } from './volume-spike.js';

const MIN = 60_000;
const o = SENSITIVITY.medium;

/** A usual minute and an unusual one: mentions, and how many of them are negative, positive, complaints. */
type Minute = { total: number; negative: number; positive: number; complaints: number };

/** Three days of `usual` every minute, then `tail`: a brand as the detector service reads it. */
function brand(usual: Minute, tail: Minute[]): BrandSeries {
  return seriesOf([...new Array<Minute>(3 * 1440).fill(usual), ...tail]);
}

/** A brand's series from its minutes, the stream's view at the end of the last one. */
function seriesOf(minutes: Minute[]): BrandSeries {
  const s = (k: keyof Minute): BucketSeries => ({ start: 0, bucketMs: MIN, counts: minutes.map((m) => m[k]) });
  return {
    now: minutes.length * MIN,
    total: s('total'),
    positive: s('positive'),
    negative: s('negative'),
    complaints: s('complaints'),
    bySource: new Map(),
    viral: { candidates: [], norms: { engagementP95: 5, followersP95: 800 } },
  };
}

// A complaint-heavy brand (a telecom): 10 mentions a minute, 6 of them complaints, 7 negative, 2 positive.
const telecom: Minute = { total: 10, negative: 7, positive: 2, complaints: 6 };

describe('count tests on a complaint-heavy brand', () => {
  it('pages on a fivefold burst of complaints within minutes, though complaints were already the majority', () => {
    // 5 mentions a minute, 3 of them complaints; then complaints 3 → 15 a minute, the rest as usual.
    // A 60% share cannot double, and 30 of 34 at a usual 60% is not rare enough for the
    // binomial test (p ≈ 5e-4) nor, after two minutes, for the share CUSUM: only the count shows it.
    const outage = brand({ total: 5, negative: 3, positive: 1, complaints: 3 }, new Array(2).fill({ total: 17, negative: 15, positive: 1, complaints: 15 }));
    const complaints = complaintSurge.detect(outage, o);
    expect(complaints.map((d) => d.summary)).toEqual([expect.stringMatching(/^30 complaints in 2 min, about 6 expected/)]);
    expect(negativeSurge.detect(outage, o).map((d) => d.summary)).toEqual([expect.stringMatching(/^30 negative mentions in 2 min, about 6 expected/)]);
  });

  it('pages on a tenfold storm that lifts every kind of mention alike', () => {
    // The real week's outage: everything ×10, complaints at their usual share.
    const storm = brand(telecom, new Array(5).fill({ total: 100, negative: 70, positive: 20, complaints: 60 }));
    expect(complaintSurge.detect(storm, o)).toHaveLength(1);
    expect(negativeSurge.detect(storm, o)).toHaveLength(1);
  });

  it('does not page on a campaign’s crowd, mostly positive, at the same brand', () => {
    // Volume ×5, the extra mentions 80% positive: negatives and complaints barely move.
    const campaign = brand(telecom, new Array(15).fill({ total: 50, negative: 9, positive: 34, complaints: 7 }));
    expect(complaintSurge.detect(campaign, o)).toEqual([]);
    expect(negativeSurge.detect(campaign, o)).toEqual([]);
  });
});

describe('volume_spike', () => {
  const typical: Minute = { total: 10, negative: 2, positive: 4, complaints: 1 };

  it('reports a positive campaign spike as news, not as a negative page, with its sentiment mix', () => {
    const campaign = brand(typical, new Array(15).fill({ total: 60, negative: 4, positive: 44, complaints: 1 }));
    const [spike, ...rest] = volumeSpike.detect(campaign, o);
    expect(rest).toEqual([]);
    expect(spike!.finding.severity).toBe('info');
    expect(spike!.summary).toMatch(/^900 mentions in 15 min, about 150 expected, not mostly negative: 7% negative, 73% positive \(usually 20% and 40%\)/);
  });

  it('pages on a backlash of mixed sentiment, more of it negative than positive', () => {
    // Volume ×8: the extra mentions half negative, a third positive.
    const backlash = brand(typical, new Array(15).fill({ total: 80, negative: 37, positive: 27, complaints: 4 }));
    const [spike] = volumeSpike.detect(backlash, o);
    expect(spike!.finding.severity).not.toBe('info');
    expect(spike!.summary).toMatch(/, mostly negative: 46% negative, 34% positive/);
  });

  it('stays quiet on ordinary traffic', () => {
    expect(volumeSpike.detect(brand(typical, new Array(60).fill(typical)), o)).toEqual([]);
  });
});

describe('the robust seasonal baseline', () => {
  it('is not raised by an incident in the trailing hours', () => {
    // A week of 1 a minute; the last two hours before the window at 6 a minute (an incident under way).
    const counts = [...new Array(7 * 1440 - 120).fill(1), ...new Array(120).fill(6), 6];
    const model = { mode: 'counts' as const, windows: [1], perDay: 1440, days: 7, slot: 30, trailing: 120, twoSided: false };
    expect(surgeAt(counts, counts.length, { ...model, robust: true })!.expected).toBe(1);
    // Pooled, the trailing hours drag the usual up and the dispersion with it.
    expect(surgeAt(counts, counts.length, model)!.expected).toBeGreaterThan(1.5);
  });
});

describe('a brand’s first days', () => {
  it('does not take the zeros before its first mention for a quiet history', () => {
    // Six days of nothing (no data yet), then a day of 1 a minute and an ordinary hour of it.
    const counts = [...new Array(6 * 1440).fill(0), ...new Array(1440 + 60).fill(1)];
    const s: BucketSeries = { start: 0, bucketMs: MIN, counts };
    expect(volumeSpike.detect({ ...brand(telecom, []), total: s, negative: s, positive: s }, o)).toEqual([]);
  });

  it('still sees a first burst of a part never seen before', () => {
    const counts = [...new Array(7 * 1440).fill(0), 10, 10];
    const model = { mode: 'counts' as const, windows: [2], perDay: 1440, days: 7, slot: 30, trailing: 120, twoSided: false, robust: true };
    expect(surgeAt(counts, counts.length, model)!.surprise).toBeGreaterThan(6);
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

describe('a small brand’s outage on the stream path', () => {
  // Two mentions a minute, one complaint in seven minutes, drawn at random (seeded) as traffic is.
  function ordinary(seed: number, minutes: number): Minute[] {
    const rand = seededRandom(seed);
    return Array.from({ length: minutes }, () => {
      const complaints = poisson(rand, 1 / 7);
      const negative = complaints + poisson(rand, 0.1);
      const positive = poisson(rand, 0.8);
      return { total: negative + positive + poisson(rand, 1), negative, positive, complaints };
    });
  }

  /** Every detector each minute from `from` on, through the alert book, as the service runs them: the minute after `from` the first alert opened, and its summary. */
  function firstAlert(minutes: Minute[], from: number): { after: number; summary: string } | null {
    const book = new AlertBook();
    for (let end = from + 1; end <= minutes.length; end++) {
      const series = seriesOf(minutes.slice(0, end));
      const firings = DETECTORS.flatMap((d) => d.detect(series, o)).map((x) => ({ ...x, brand: 'b', samples: [] }));
      const opened = book.apply(firings, series.now).find((a) => a.status === 'open');
      if (opened) return { after: end - 1 - from, summary: opened.summary };
    }
    return null;
  }

  const history = ordinary(2, 3 * 1440);

  it('opens within 5 minutes of the onset when one or two complaints a minute come where one in seven minutes is usual', () => {
    // Tenfold and more, but never five in two minutes nor rare enough in five: the windows alone
    // opened it 7 minutes in; the complaints' run adds up (the count CUSUM) by the sixth minute.
    const extra = [2, 2, 1, 2, 2, 1, 2, 2];
    const outage = ordinary(102, extra.length).map((m, i) => ({
      ...m,
      total: m.total + extra[i]!,
      negative: m.negative + extra[i]!,
      complaints: m.complaints + extra[i]!,
    }));
    const first = firstAlert([...history, ...outage], history.length);
    expect(first?.after).toBeLessThanOrEqual(5);
    expect(first?.summary).toMatch(/^10 complaints in 6 min, about 0\.8 expected/);
  });

  it('stays silent over six more hours of the same brand’s ordinary minutes', () => {
    expect(firstAlert([...history, ...ordinary(103, 360)], history.length)).toBeNull();
  });
});
