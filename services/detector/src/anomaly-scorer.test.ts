import { describe, expect, it } from 'vitest';
import { AnomalyScorer, pointsPerDay, scoreSeries } from './anomaly-scorer.js';

const noisy = (n: number, seed = 1) => {
  let a = seed;
  return Array.from({ length: n }, () => {
    a = (a * 1103515245 + 12345) % 2 ** 31;
    return 100 + ((a / 2 ** 31) * 10 - 5);
  });
};

describe('anomaly scorer', () => {
  it('is causal: a score never changes when later data does', () => {
    const base = noisy(500);
    const changed = [...base.slice(0, 400), ...base.slice(400).map((v) => v * 5)];
    expect(scoreSeries(changed).slice(0, 400)).toEqual(scoreSeries(base).slice(0, 400));
  });

  it('scores a spike far above ordinary noise, and stays in [0, 1]', () => {
    const values = noisy(400);
    values[300] = 400;
    const scores = scoreSeries(values);
    expect(Math.max(...scores.slice(100, 299))).toBeLessThan(0.5);
    expect(scores[300]).toBeGreaterThan(0.8);
    for (const s of scores) expect(s >= 0 && s <= 1).toBe(true);
  });

  it('does not alarm a quiet count series on Poisson noise (3 an hour, then 6)', () => {
    const scorer = new AnomalyScorer({ history: 200, short: 3, warmup: 20, counts: true });
    for (let i = 0; i < 200; i++) scorer.push([2, 3, 4, 3][i % 4]!);
    expect(scorer.push(6)).toBeLessThan(0.3);
  });

  it('finds the daily period from timestamps', () => {
    const ts = Array.from({ length: 288 * 4 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 300_000).toISOString());
    expect(pointsPerDay(ts)).toBe(288);
    expect(pointsPerDay(ts.slice(0, 300))).toBe(0);
  });
});
