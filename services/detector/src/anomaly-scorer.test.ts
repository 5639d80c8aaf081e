import { describe, expect, it } from 'vitest';
import { pointsPerDay, scoreSeries } from './anomaly-scorer.js';
import { surgeAt } from './surge-score.js';

const noisy = (n: number, seed = 1) => {
  let a = seed;
  return Array.from({ length: n }, () => {
    a = (a * 1103515245 + 12345) % 2 ** 31;
    return 100 + ((a / 2 ** 31) * 10 - 5);
  });
};

describe('series anomaly score', () => {
  it('is causal: a score never changes when later data does', () => {
    const base = noisy(500);
    const changed = [...base.slice(0, 400), ...base.slice(400).map((v) => v * 5)];
    expect(scoreSeries(changed).slice(0, 400)).toEqual(scoreSeries(base).slice(0, 400));
  });

  it('scores a spike far above ordinary noise, and stays in [0, 1]', () => {
    const values = noisy(400);
    values[300] = 400;
    const scores = scoreSeries(values);
    expect(Math.max(...scores.slice(100, 299))).toBeLessThan(0.4);
    expect(scores[300]).toBeGreaterThan(0.8);
    for (const s of scores) expect(s >= 0 && s <= 1).toBe(true);
  });

  it('counts mode keeps a quiet series quiet: 3 an hour, then 6, is no surprise', () => {
    const counts = Array.from({ length: 24 * 7 }, (_, i) => [2, 3, 4, 3][i % 4]!);
    const r = surgeAt([...counts, 6], counts.length + 1, { mode: 'counts', windows: [1], perDay: 24, days: 7, slot: 1, trailing: 24, twoSided: false })!;
    expect(r.surprise).toBeLessThan(2);
  });

  it('finds the daily period from timestamps', () => {
    const ts = Array.from({ length: 288 * 4 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 300_000).toISOString());
    expect(pointsPerDay(ts)).toBe(288);
    expect(pointsPerDay(ts.slice(0, 300))).toBe(0);
  });
});
