import { describe, expect, it } from 'vitest';
import { negativeBinomialUpperTail, poissonUpperTail } from './poisson.js';

describe('tail probabilities', () => {
  it('computes Poisson tails', () => {
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(poissonUpperTail(1, 1)).toBeCloseTo(1 - Math.exp(-1), 10);
    expect(poissonUpperTail(500, 100)).toBeLessThan(1e-100);
  });

  it('computes negative binomial tails: clumped counts make a burst far likelier than a Poisson says', () => {
    // Mean 1, variance 2: a geometric with success chance 1/2, P(X ≥ 3) = 1/8.
    expect(negativeBinomialUpperTail(3, 1, 2)).toBeCloseTo(0.125, 10);
    expect(negativeBinomialUpperTail(7, 0.5, 1)).toBeCloseTo(poissonUpperTail(7, 0.5), 12);
    // Seven where 0.5 were expected, at a dispersion of only 1.08: eight times the Poisson's.
    expect(negativeBinomialUpperTail(7, 0.5, 1.08) / poissonUpperTail(7, 0.5)).toBeGreaterThan(8);
  });
});
