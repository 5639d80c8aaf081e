import type { BucketSeries } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { SENSITIVITY } from '../detectors/sensitivity.js';
import { detectSurge } from './count-surge.js';

const MIN = 60_000;
/** `days` days of per-minute counts from `rate` per hour, spread evenly, then `tail` appended. */
function series(ratePerHour: number, days: number, tail: number[]): BucketSeries {
  const counts: number[] = [];
  const every = 60 / ratePerHour;
  for (let i = 0; i < days * 1440; i++) counts.push(i % Math.round(every) === 0 ? 1 : 0);
  return { start: 0, bucketMs: MIN, counts: [...counts, ...tail] };
}

describe('surge detection', () => {
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
});
