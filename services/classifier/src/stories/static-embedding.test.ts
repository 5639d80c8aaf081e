import { describe, expect, it } from 'vitest';
import { DEFAULT_STORY_EMBEDDING } from './index.js';
import { StaticEmbedding } from './static-embedding.js';

describe('the shipped static embedding', () => {
  const e = StaticEmbedding.load(DEFAULT_STORY_EMBEDDING);
  const cos = (a: string, b: string) => e.embed(a).reduce((s, x, i) => s + x * e.embed(b)[i]!, 0);

  it('gives unit vectors, and zeros for text with no known token', () => {
    expect(Math.hypot(...e.embed('my card has not arrived'))).toBeCloseTo(1, 5);
    expect(e.embed('').every((x) => x === 0)).toBe(true);
  });

  it('puts texts about one issue closer than texts about another', () => {
    const card = 'my new card still has not arrived';
    expect(cos(card, 'when will my card be delivered?')).toBeGreaterThan(cos(card, 'what exchange rate do you use for euros?'));
    expect(cos('the app keeps crashing on login', 'I cannot log in, the app crashes')).toBeGreaterThan(
      cos('the app keeps crashing on login', 'my refund has not come through'),
    );
  });
});
