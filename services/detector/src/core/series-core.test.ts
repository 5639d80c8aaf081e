import { describe, expect, it } from 'vitest';
import { DETECT_CORE, scoreSeries } from '../anomaly-scorer.js';
import type { BucketSeries } from '@earshot/shared';
import { DEFAULT_SURGE, detectSurge } from '../checks/count-surge.js';
import { SeriesCore, type CoreOptions } from './series-core.js';
import { surgeAt } from './surge.js';

/** A deterministic pseudo-random stream in [0, 1). */
const uniform = (seed: number) => {
  let a = seed;
  return () => {
    a = (a * 1103515245 + 12345) % 2 ** 31;
    return a / 2 ** 31;
  };
};
/** Poisson-like counts around `rate` (a sum of Bernoulli draws). */
const counts = (n: number, rate: number, seed = 1) => {
  const u = uniform(seed);
  return Array.from({ length: n }, () => {
    let k = 0;
    for (let j = 0; j < 4 * rate; j++) if (u() < 0.25) k++;
    return k;
  });
};
const surgeOnly = (perDay: number, o: Partial<CoreOptions> = {}): SeriesCore => new SeriesCore({ ...DETECT_CORE, perDay, shapes: null, record: null, ...o });
const run = (core: SeriesCore, values: number[]) => values.map((v) => core.push(v));

describe('the detection core', () => {
  it('is causal: appending or changing later points never changes an earlier score', () => {
    const base = counts(3000, 5);
    const later = [...base.slice(0, 2000), ...base.slice(2000).map((v) => v * 4 + 1.5)];
    const ts = Array.from({ length: 3000 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + i * 300_000).toISOString());
    const a = scoreSeries(base, ts);
    expect(scoreSeries(later, ts).slice(0, 2000)).toEqual(a.slice(0, 2000));
    expect(scoreSeries(base.slice(0, 1500), ts.slice(0, 1500))).toEqual(a.slice(0, 1500));
  });

  it('holds a bounded ring of history, and reads the same evidence from it as from the whole series', () => {
    const perDay = 48;
    const o = { days: 3, slot: 2, trailing: 20, windows: [1, 4] };
    const core = surgeOnly(perDay, o);
    expect(core.capacity).toBe(3 * 48 + 2 + 20 + 4);
    // Twenty rings' worth of values, a burst late: the ring's evidence is the whole series' evidence.
    const values = counts(20 * core.capacity, 3, 7);
    for (let i = values.length - 30; i < values.length - 25; i++) values[i] = 25;
    const readings = run(core, values);
    const model = { ...DETECT_CORE, ...o, perDay, mode: 'counts' as const };
    for (const end of [10, core.capacity, values.length - 26, values.length - 1]) {
      const whole = surgeAt(values, end, model)!;
      const ring = readings[end - 1]!.surge;
      expect([ring.surprise, ring.observed, ring.expected, ring.window]).toEqual([whole.surprise, whole.observed, whole.expected, whole.window]);
    }
    expect(readings[values.length - 26]!.surge.surprise).toBeGreaterThan(6);
  });

  it('judges non-negative integers as counts, anything else as a Gaussian series, two-sided', () => {
    // Quiet counts, 3 against about 1: a Poisson tail, no alarm (p ≈ 0.08).
    const quiet = surgeOnly(0);
    const last = run(quiet, [...counts(600, 1, 3), 3]).at(-1)!.surge;
    expect(last.surprise).toBeLessThan(2);
    // The same values as readings of a gauge (one decimal place): Gaussian, so a drop is evidence too.
    const gauge = surgeOnly(0);
    const u = uniform(5);
    const values = Array.from({ length: 600 }, () => 50.5 + u());
    const drop = run(gauge, [...values, 40.5]).at(-1)!.surge;
    expect(drop.surprise).toBeGreaterThan(6);
    expect(drop.band[0]).toBeGreaterThan(40.5);
    // As counts, a drop is never a surge: the tail is the upper one.
    const asCounts = run(surgeOnly(0), [...values.map(Math.round), 40]).at(-1)!.surge;
    expect(asCounts.surprise).toBeLessThan(0.1);
  });

  it('gives the evidence of the stream count test: one core for the stream detectors and earshot detect', () => {
    // Eight days of a brand's minutes, then a burst: what detectSurge pages on.
    const perDay = 1440;
    const values = [...counts(8 * perDay, 2, 11), 14, 15];
    const series: BucketSeries = { start: 0, bucketMs: 60_000, counts: values };
    const finding = detectSurge(series)!;
    expect(finding).not.toBeNull();
    const windowLength = (finding.windowEnd - finding.windowStart) / 60_000;
    const stream: Partial<CoreOptions> = {
      days: DEFAULT_SURGE.days,
      slot: DEFAULT_SURGE.slot,
      trailing: DEFAULT_SURGE.trailing,
      windows: [windowLength],
      robust: true,
    };
    const core = surgeOnly(perDay, stream);
    const reading = run(core, values).at(-1)!.surge;
    expect(reading.observed).toBe(finding.observed);
    expect(reading.expected).toBeCloseTo(finding.expected, 2);
    expect(reading.band[1]).toBeCloseTo(finding.band[1], 2);
    expect(1 - 10 ** -reading.surprise).toBe(finding.score);
    // earshot detect's scorer runs that same core: with the stream's settings it scores the burst as that evidence.
    const scores = scoreSeries(values, undefined, { ...stream, perDay, shapes: null, record: null });
    expect(scores.at(-1)).toBe(reading.score);
  });

  it('scores an incident once, at its onset, with every view', () => {
    const values = counts(4000, 20, 13);
    for (let i = 3000; i < 3100; i++) values[i] = values[i]! + 40;
    const readings = run(new SeriesCore({ ...DETECT_CORE, perDay: 288 }), values);
    const scores = readings.map((r) => r.evidence.score);
    const onset = scores.findIndex((s, i) => i >= 3000 && s >= 0.5);
    expect(onset).toBeGreaterThanOrEqual(3000);
    expect(onset).toBeLessThan(3003);
    expect(readings[onset]!.evidence.view).toMatch(/surge|level|novelty|daily/);
    // The rest of the incident is no new evidence, and every score is in [0, 1).
    expect(scores.slice(onset + 5, 3100).filter((s) => s >= 0.5).length).toBeLessThan(3);
    for (const s of scores) expect(s >= 0 && s < 1).toBe(true);
  });
});
