import { poisson, seededRandom } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { countCusum } from './count-cusum.js';

/** The evidence a one-in-a-million chance per minute stands for, in nats. */
const ONE_IN_A_MILLION = -Math.log(1e-6);

describe('countCusum', () => {
  it('adds up a run of complaints that no single minute makes rare, from the minute it began', () => {
    // One complaint every seven minutes is usual; then one or two a minute, tenfold.
    const usual = 1 / 7;
    const quiet = Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const outage = [2, 0, 1, 2, 1, 1, 2, 1, 2, 1];
    const values = [...quiet, ...outage];
    const at = (minutes: number) => countCusum(values, 0, quiet.length + minutes, usual, 1, [3, 10]);
    // Poisson log-likelihood ratio of ten times the rate: x·ln 10 − 9·usual a minute.
    const expected = (n: number) => outage.slice(0, n).reduce((s, x) => s + x * Math.log(10) - 9 * usual, 0);
    expect(at(3)!.llr).toBeCloseTo(expected(3), 6);
    expect(at(3)!.llr).toBeLessThan(ONE_IN_A_MILLION);
    const found = at(outage.length)!;
    expect(found.llr).toBeGreaterThan(ONE_IN_A_MILLION + Math.log(2));
    expect(found).toMatchObject({ start: quiet.length, ratio: 10 });
  });

  it('weighs bursty counts down: the same run is less evidence where counts vary more than Poisson', () => {
    const values = [6, 7, 5, 8, 6];
    const poissonEvidence = countCusum(values, 0, values.length, 2, 1, [3])!.llr;
    const burstyEvidence = countCusum(values, 0, values.length, 2, 2.5, [3])!.llr;
    expect(burstyEvidence).toBeGreaterThan(0);
    expect(burstyEvidence).toBeLessThan(poissonEvidence / 2);
  });

  it('stays below one in a million for a month of ordinary minutes, at a small brand and a bursty large one', () => {
    const rand = seededRandom(36);
    for (const [rate, dispersion] of [
      [1 / 7, 1],
      [3, 2],
    ] as const) {
      // Gamma-distributed minute rates (shape rate / (dispersion − 1)) make the bursty one.
      const shape = dispersion > 1 ? rate / (dispersion - 1) : Infinity;
      const minutes = Array.from({ length: 30 * 1440 }, () => poisson(rand, Number.isFinite(shape) ? rate * gammaMeanOne(rand, shape) : rate));
      let most = 0;
      for (let end = 60; end <= minutes.length; end++) most = Math.max(most, countCusum(minutes, end - 60, end, rate, dispersion, [3, 10])?.llr ?? 0);
      expect(most).toBeLessThan(ONE_IN_A_MILLION);
    }
  });
});

/** Gamma(shape, mean 1) for shape ≥ 1 by Marsaglia–Tsang. */
function gammaMeanOne(rand: () => number, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    const v = (1 + c * x) ** 3;
    if (v > 0 && Math.log(rand()) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / shape;
  }
}
