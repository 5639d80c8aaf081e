import type { BucketSeries } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { gradeOf } from '../alert-book.js';
import { DEFAULT_SHARE_RISE, detectShareRise } from './share-chart.js';

const MIN = 60_000;
/** Per-minute whole and part: `minutes` at `perMinute` mentions, every `every`-th one (by count) a part. */
function traffic(spans: { minutes: number; perMinute: number; every: number }[]): { part: BucketSeries; whole: BucketSeries } {
  const part: number[] = [];
  const whole: number[] = [];
  let k = 0;
  for (const s of spans)
    for (let m = 0; m < s.minutes; m++) {
      let p = 0;
      for (let i = 0; i < s.perMinute; i++) if (k++ % s.every === 0) p++;
      part.push(p);
      whole.push(s.perMinute);
    }
  return { part: { start: 0, bucketMs: MIN, counts: part }, whole: { start: 0, bucketMs: MIN, counts: whole } };
}

describe('detectShareRise', () => {
  const day = { minutes: 2 * 1440, perMinute: 4, every: 10 };
  it('ends an incident once its share is back, though the sum of its evidence is still far past the threshold', () => {
    const during = traffic([day, { minutes: 90, perMinute: 4, every: 2 }]);
    expect(detectShareRise(during.part, during.whole)).not.toBeNull();
    // 20 minutes back at the usual share: before, the CUSUM of the 90 minutes (hundreds of
    // nats) kept the alert firing for hours, ready to page again at the next chance bunch.
    const after = traffic([day, { minutes: 90, perMinute: 4, every: 2 }, { minutes: 20, perMinute: 4, every: 10 }]);
    expect(detectShareRise(after.part, after.whole)).toBeNull();
  });

  it("runs on a small brand's first days: a few dozen mentions at this hour are a baseline", () => {
    // Two days of one mention every five minutes, one in ten of them a complaint; then 30
    // minutes of a mention a minute, every one a complaint. The baseline ranges (the trailing
    // three hours, each earlier day's six) hold 180 mentions: under the old least of 200.
    const whole: number[] = [];
    const part: number[] = [];
    for (let m = 0; m < 2 * 1440; m++) {
      whole.push(m % 5 === 0 ? 1 : 0);
      part.push(m % 50 === 0 ? 1 : 0);
    }
    for (let m = 0; m < 30; m++) (whole.push(1), part.push(1));
    const s = (counts: number[]): BucketSeries => ({ start: 0, bucketMs: MIN, counts });
    expect(detectShareRise(s(part), s(whole))).not.toBeNull();
    expect(detectShareRise(s(part), s(whole), { ...DEFAULT_SHARE_RISE, minBaseline: 200 })).toBeNull();
  });
});

describe('a share that is already the majority', () => {
  /** Per-minute whole and part: `minutes` at `perMinute` mentions, `share` of them the part (spread evenly). */
  function shares(spans: { minutes: number; perMinute: number; share: number }[]): { part: BucketSeries; whole: BucketSeries } {
    const part: number[] = [];
    const whole: number[] = [];
    let seen = 0;
    for (const s of spans)
      for (let m = 0; m < s.minutes; m++) {
        seen += s.perMinute;
        const due = Math.floor(seen * s.share + 1e-9) - Math.floor((seen - s.perMinute) * s.share + 1e-9);
        part.push(due);
        whole.push(s.perMinute);
      }
    return { part: { start: 0, bucketMs: MIN, counts: part }, whole: { start: 0, bucketMs: MIN, counts: whole } };
  }
  // A complaint-heavy brand: two days at 65% negatives, 4 mentions a minute.
  const usual = { minutes: 2 * 1440, perMinute: 4, share: 0.65 };

  it('pages when negatives go from 65% to 90% of the mentions: 1.4 times their count, the rest 3.5 times fewer', () => {
    const slide = shares([usual, { minutes: 90, perMinute: 4, share: 0.9 }]);
    const f = detectShareRise(slide.part, slide.whole);
    expect(f).not.toBeNull();
    expect(f!.ratio).toBeGreaterThan(3);
    expect(f!.observed / f!.expected).toBeLessThan(1.5);
    // The alert's grade reads the odds, not the count: a warning or worse, not "worth a look".
    expect(gradeOf('negative_volume_surge', f!).severity).not.toBe('info');
  });

  it('stays quiet while the share stays where it was', () => {
    const quiet = shares([usual, { minutes: 240, perMinute: 4, share: 0.65 }]);
    expect(detectShareRise(quiet.part, quiet.whole)).toBeNull();
  });
});
