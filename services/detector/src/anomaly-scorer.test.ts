import { describe, expect, it } from 'vitest';
import { pointsPerDay, scoreSeries } from './anomaly-scorer.js';
import { surgeAt } from './core/surge.js';
import { ContextNovelty } from './core/context-novelty.js';
import { DecayingRecord } from './core/decaying-record.js';
import { AnomalyLikelihood } from './core/anomaly-likelihood.js';
import { normalTail } from './core/rolling.js';

const noisy = (n: number, seed = 1) => {
  let a = seed;
  return Array.from({ length: n }, () => {
    a = (a * 1103515245 + 12345) % 2 ** 31;
    return 100 + ((a / 2 ** 31) * 10 - 5);
  });
};
const fiveMinutes = (n: number) => Array.from({ length: n }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 300_000).toISOString());
const firstAbove = (scores: number[], t: number, from = 0) => scores.findIndex((s, i) => i >= from && s >= t);

describe('series anomaly score', () => {
  it('is causal: a score never changes when later data does', () => {
    const base = noisy(3000);
    const changed = [...base.slice(0, 2000), ...base.slice(2000).map((v) => v * 5)];
    const ts = fiveMinutes(3000);
    expect(scoreSeries(changed, ts).slice(0, 2000)).toEqual(scoreSeries(base, ts).slice(0, 2000));
  });

  it('scores a spike far above ordinary noise, once, and stays in [0, 1)', () => {
    const values = noisy(3000);
    values[2000] = 400;
    values[2003] = 380;
    const scores = scoreSeries(values, fiveMinutes(3000));
    expect(Math.max(...scores.slice(600, 2000))).toBeLessThan(0.55);
    expect(scores[2000]).toBeGreaterThan(0.8);
    // The aftershock, smaller than the record just set, is not a second detection.
    expect(scores[2003]).toBeLessThan(0.55);
    for (const s of scores) expect(s >= 0 && s < 1).toBe(true);
  });

  it('sees a daily peak that does not come, though every value is ordinary', () => {
    const perDay = 288;
    const day = (i: number) => (i % perDay >= 100 && i % perDay < 200 ? 80 : 20);
    const noise = noisy(perDay * 12).map((v) => v - 100);
    const values = noise.map((e, i) => day(i) + e);
    const skipped = 9 * perDay + 100;
    for (let i = skipped; i < skipped + 100; i++) values[i] = 20 + noise[i]!;
    const scores = scoreSeries(values, fiveMinutes(values.length));
    expect(Math.max(...scores.slice(700, skipped))).toBeLessThan(0.55);
    const hit = firstAbove(scores, 0.55, skipped);
    expect(hit).toBeGreaterThanOrEqual(skipped);
    expect(hit).toBeLessThan(skipped + 5);
  });

  it('flags a new pattern in spikes that are themselves usual (spikes come more often)', () => {
    const values = Array.from({ length: 4000 }, (_, i) => (i % 100 === 0 || i % 100 === 6 ? 20 : 0));
    for (const i of [2005, 2010, 2015]) values[i] = 20;
    const scores = scoreSeries(values, fiveMinutes(4000));
    expect(Math.max(...scores.slice(600, 2000))).toBeLessThan(0.55);
    const hit = firstAbove(scores, 0.55, 2000);
    expect(hit).toBeGreaterThanOrEqual(2005);
    expect(hit).toBeLessThan(2010);
  });

  it('finds the daily period from the sampling interval', () => {
    expect(pointsPerDay(fiveMinutes(30))).toBe(288);
    expect(pointsPerDay(Array.from({ length: 30 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString()))).toBe(24);
    expect(pointsPerDay(['2026-01-01 00:00:00', '2026-01-01 00:00:05', '2026-01-01 00:00:10'])).toBe(0);
  });
});

describe('detection core parts', () => {
  it('context novelty: a repeated pattern stops being new, a new transition is', () => {
    const c = new ContextNovelty(4, 2);
    const seq = [0, 10, 0, 10, 0, 10, 0, 10];
    const out = seq.map((v) => c.update(v));
    expect(out.slice(-2)).toEqual([0, 0]);
    expect(c.update(5)).toBe(1);
  });

  it('a decaying record: the same surprise twice is half as remarkable, and fades back', () => {
    const r = new DecayingRecord(10, 3);
    expect(r.update(6)).toBe(2);
    expect(r.update(6)).toBe(1);
    for (let i = 0; i < 100; i++) r.update(0);
    expect(r.update(6)).toBeGreaterThan(1.9);
  });

  it('anomaly likelihood: a noisy history makes the same raw score ordinary', () => {
    const calm = new AnomalyLikelihood({ averaging: 1, history: 1000, learning: 100, minStdev: 0.01 });
    const noisyL = new AnomalyLikelihood({ averaging: 1, history: 1000, learning: 100, minStdev: 0.01 });
    for (let i = 0; i < 500; i++) {
      calm.update(0);
      noisyL.update(i % 2);
    }
    expect(calm.update(1)).toBeGreaterThan(0.99999);
    expect(noisyL.update(1)).toBeLessThan(0.9);
  });

  it('normal tail is accurate deep into the tail', () => {
    expect(normalTail(0)).toBeCloseTo(0.5, 7);
    expect(normalTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalTail(6) / 9.8658765e-10).toBeCloseTo(1, 5);
    expect(normalTail(-3)).toBeCloseTo(1 - 0.001349898, 8);
  });

  it('counts mode keeps a quiet series quiet: 3 an hour, then 6, is no surprise', () => {
    const counts = Array.from({ length: 24 * 7 }, (_, i) => [2, 3, 4, 3][i % 4]!);
    const r = surgeAt([...counts, 6], counts.length + 1, { mode: 'counts', windows: [1], perDay: 24, days: 7, slot: 1, trailing: 24, twoSided: false })!;
    expect(r.surprise).toBeLessThan(2);
  });
});
