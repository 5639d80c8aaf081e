import { describe, expect, it } from 'vitest';
import { roughCount } from './count-text.js';

describe('roughCount', () => {
  it('rounds an expected count as a person would say it', () => {
    expect([51.73, 10.4, 2.56, 1, 0.33, 0.04, 0].map(roughCount)).toEqual(['52', '10', '2.6', '1', '0.3', '0.04', '0']);
  });
});
