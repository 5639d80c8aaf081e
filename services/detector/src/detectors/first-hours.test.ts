import type { BucketSeries } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import type { BrandSeries } from './contract.js';
import { DETECTORS } from './registry.js';
import { MIN_HISTORY, SENSITIVITY } from './sensitivity.js';

const MIN = 60_000;
const o = SENSITIVITY.medium;

/**
 * A brand as the detector service reads it just after a history import: a week of nothing
 * (the store had no mention yet), then `minutes`, each [mentions, negatives, positives,
 * complaints] for that minute.
 */
function imported(minutes: [number, number, number, number][]): BrandSeries {
  const all = [...new Array<[number, number, number, number]>(7 * 1440).fill([0, 0, 0, 0]), ...minutes];
  const s = (k: number): BucketSeries => ({ start: 0, bucketMs: MIN, counts: all.map((m) => m[k]!) });
  const [total, negative, positive, complaints] = [s(0), s(1), s(2), s(3)];
  return {
    now: all.length * MIN,
    total,
    positive,
    negative,
    complaints,
    bySource: new Map([['twitter', { total, positive, negative }]]),
    viral: { candidates: [], norms: { engagementP95: 5, followersP95: 800 } },
  };
}

const detectAll = (s: BrandSeries, options = o) => DETECTORS.flatMap((d) => d.detect(s, options)).map((x) => x.summary);
const repeat = (n: number, m: [number, number, number, number]) => new Array<[number, number, number, number]>(n).fill(m);

describe('the first hours of an imported history', () => {
  // An ordinary morning: the first hour of the file at a mention a minute, then the usual
  // rise to four a minute (a fifth of them negative, one in ten a complaint).
  const morning = [...repeat(60, [1, 0, 1, 0]), ...repeat(10, [4, 1, 2, 0]), ...repeat(10, [4, 1, 1, 1])];

  it(`tests nothing before ${MIN_HISTORY} minutes of history: a rise against its first hour is no surge`, () => {
    expect(detectAll(imported(morning))).toEqual([]);
    // The same minutes judged from the first one: the morning's rise pages against the file's first hour.
    expect(detectAll(imported(morning), { ...o, minHistory: 0 })).not.toEqual([]);
  });

  it('tests as usual once the history is long enough', () => {
    // Three hours at a mention a minute, then twenty a minute for five minutes, most of them complaints.
    const outage = imported([...repeat(180, [1, 0, 1, 0]), ...repeat(5, [20, 18, 1, 15])]);
    expect(detectAll(outage)).toEqual(expect.arrayContaining([expect.stringMatching(/complaints in \d+ min/)]));
  });
});
