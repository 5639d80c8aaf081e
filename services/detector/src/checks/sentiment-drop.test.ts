import { describe, expect, it } from 'vitest';
import { detectSentimentDrop } from './sentiment-drop.js';

const MIN = 60_000;

describe('sentiment drops', () => {
  it('does not call an ordinary day a sentiment drop because an earlier day was a campaign', () => {
    // Net sentiment +0.2 on ordinary days (4 positive, 2 negative of 10), +0.8 on a campaign day of ten times the
    // volume two days ago; now an ordinary half hour at +0.1.
    const days = 8;
    const make = (ordinary: number, campaign: number, now: number) => {
      const counts: number[] = [];
      for (let i = 0; i < days * 1440; i++) counts.push(Math.floor(i / 1440) === days - 2 ? campaign : ordinary);
      return { start: 0, bucketMs: MIN, counts: [...counts, ...new Array(30).fill(now)] };
    };
    const total = make(10, 100, 10);
    expect(detectSentimentDrop(make(4, 85, 3), make(2, 5, 2), total)).toBeNull();
    // A real fall, to −0.5 (1 positive, 6 negative of 10), still pages.
    expect(detectSentimentDrop(make(4, 85, 1), make(2, 5, 6), total)).toMatchObject({ observed: -0.5, expected: 0.2 });
  });
});
