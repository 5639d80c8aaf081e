import { describe, expect, it } from 'vitest';
import { toClickHouseTime } from './rows.js';

describe('toClickHouseTime', () => {
  it.each([
    ['2026-11-20T08:00:01.234Z', '2026-11-20 08:00:01.234'],
    ['2026-11-20T08:00:01Z', '2026-11-20 08:00:01.000'],
    ['2026-11-20T09:00:01.234+01:00', '2026-11-20 08:00:01.234'],
    ['2026-11-20T08:00:01.23456Z', '2026-11-20 08:00:01.234'],
  ])('writes %s in UTC to the millisecond as %s', (iso, text) => {
    expect(toClickHouseTime(iso)).toBe(text);
  });
  it('takes epoch milliseconds and dates too', () => {
    expect(toClickHouseTime(Date.parse('2026-11-20T08:00:01.234Z'))).toBe('2026-11-20 08:00:01.234');
    expect(toClickHouseTime(new Date('2026-11-20T08:00:01.234Z'))).toBe('2026-11-20 08:00:01.234');
  });
});
