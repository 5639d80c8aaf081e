import { describe, expect, it } from 'vitest';
import { hungarian, scoreClusters } from './cluster-metrics.js';

describe('cluster scores', () => {
  it('a perfect clustering scores 1 whatever its ids', () => {
    expect(scoreClusters(['x', 'x', 'y', 'y'], [0, 0, 1, 1])).toMatchObject({ nmi: 1, ari: 1, accuracy: 1, clusters: 2, groups: 2 });
  });

  it('a split group: values as scikit-learn computes them', () => {
    // normalized_mutual_info_score([0,0,1,1],[0,0,1,2]) = 0.8; adjusted_rand_score = 0.5714...
    const s = scoreClusters([0, 0, 1, 2], [0, 0, 1, 1]);
    expect(s.nmi).toBeCloseTo(0.8, 6);
    expect(s.ari).toBeCloseTo(4 / 7, 6);
    expect(s.accuracy).toBe(0.75);
  });

  it('one cluster for everything carries no information', () => {
    const s = scoreClusters([0, 0, 0, 0], [0, 1, 0, 1]);
    expect(s.nmi).toBe(0);
    expect(s.ari).toBeCloseTo(0, 9);
    expect(s.accuracy).toBe(0.5);
  });

  it('the Hungarian algorithm finds the cheapest one-to-one assignment', () => {
    // Greedy would take 1 (row 0 → col 0) and pay 7 + 9 after it; the best is 2 + 3 + 4.
    expect(
      hungarian([
        [1, 2, 9],
        [3, 9, 9],
        [9, 9, 4],
      ]),
    ).toEqual([1, 0, 2]);
  });
});
