import { describe, expect, it } from 'vitest';
import { about, duration, per, tierOf } from './format.js';

describe('how the console writes spans and bucket sizes (issue #40)', () => {
  it('writes every span in one style, its two largest units', () => {
    const cases: [number, string][] = [
      [42, '42 s'],
      [12 * 60, '12 min'],
      [3600, '1 h'],
      [5 * 3600 + 20 * 60, '5 h 20 min'],
      [33.1 * 3600, '1 d 9 h'],
      [2.9 * 86_400, '2 d 22 h'],
      [2 * 86_400 + 21 * 3600, '2 d 21 h'],
      [48 * 3600, '2 d'],
    ];
    expect(cases.map(([s]) => duration(s))).toEqual(cases.map(([, text]) => text));
    expect(duration(null)).toBe('–');
  });

  it('names a bucket size for an axis', () => {
    expect(['15m', '1h', '3h', '12h', '5m', '1d'].map(per)).toEqual(['per 15 minutes', 'per hour', 'per 3 hours', 'per 12 hours', 'per 5 minutes', 'per day']);
  });

  it('writes an expected count as people say it, not 50.56', () => {
    expect([50.56, 10.4, 3.26, 0.33, 0.041, 0].map(about)).toEqual(['51', '10', '3.3', '0.3', '0.04', '0']);
  });
});

describe('which tier labelled a mention (issue #42)', () => {
  it('calls the linear model fast and an encoder accurate', () => {
    expect(tierOf('earshot-linear-fast')).toBe('fast');
    expect(tierOf('earshot-ensemble(earshot-minilm-tuned+earshot-linear-fast)')).toBe('accurate');
  });
});
