import type { BucketSeries } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { detectSilence } from './silence.js';

const MIN = 60_000;

describe('source silence', () => {
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
});
