import { describe, expect, it } from 'vitest';
import { leaveOneCategoryOut, nabScore, optimiseThreshold, scaledSigmoid } from './nab-score.js';

const ts = Array.from({ length: 1000 }, (_, i) => `t${String(i).padStart(4, '0')}`);
const series = (hits: number[]) => {
  const scores = new Array(1000).fill(0);
  for (const h of hits) scores[h] = 1;
  return { name: 's', timestamps: ts, scores, windows: [['t0500', 't0599']] as [string, string][] };
};

describe('NAB scoring', () => {
  it('has the published sigmoid shape', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 4);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(5)).toBe(-1);
  });

  it('gives 0 to a detector that never fires and about 100 to one that fires at the window start', () => {
    expect(nabScore([series([])], 0.5).score).toBeCloseTo(0, 6);
    expect(nabScore([series([500])], 0.5).score).toBeCloseTo(100, 1);
  });

  it('rewards early detection more than late, and charges false positives', () => {
    const early = nabScore([series([510])], 0.5).score;
    const late = nabScore([series([590])], 0.5).score;
    expect(early).toBeGreaterThan(late);
    expect(nabScore([series([510, 800])], 0.5).score).toBeLessThan(early);
    // Probationary points (first 15%) are not scored at all.
    expect(nabScore([series([510, 10])], 0.5).score).toBeCloseTo(early, 6);
  });

  it('chooses the threshold that maximises the score', () => {
    const s = series([]);
    s.scores[505] = 0.9;
    s.scores[800] = 0.7;
    expect(optimiseThreshold([s]).threshold).toBeCloseTo(0.9, 6);
  });

  it('leave one category out: each category at the threshold the others chose', () => {
    // Category a fires at 0.9 in its window; b at 0.6 in its window and 0.9 outside it.
    const a = { ...series([]), category: 'a' };
    a.scores[505] = 0.9;
    const b = { ...series([]), category: 'b', name: 'b' };
    b.scores[505] = 0.6;
    b.scores[800] = 0.9;
    // In-sample, 0.6 catches both windows (and b's false positive); held out, b's threshold (0.6) catches a's,
    // while a's (0.9) misses b's window and fires on its false positive.
    expect(optimiseThreshold([a, b]).threshold).toBeCloseTo(0.6, 6);
    const bAlone = nabScore([b], 0.9).raw;
    const expected = ((nabScore([a], 0.6).raw + bAlone + 2) / 4) * 100;
    expect(leaveOneCategoryOut([a, b])).toBeCloseTo(expected, 6);
    expect(leaveOneCategoryOut([a, b])).toBeLessThan(optimiseThreshold([a, b]).score);
  });
});
