import { describe, expect, it } from 'vitest';
import { lastWholePeriod } from './digest-period.js';

const iso = (p: { start: number; end: number }) => [new Date(p.start).toISOString(), new Date(p.end).toISOString()];

describe('the period a digest covers', () => {
  it('is yesterday, midnight to midnight, in the schedule’s time zone', () => {
    const now = Date.parse('2026-12-04T08:00:00Z');
    expect(iso(lastWholePeriod('day', now, 'UTC'))).toEqual(['2026-12-03T00:00:00.000Z', '2026-12-04T00:00:00.000Z']);
    // Berlin is an hour ahead in December; 08:00 UTC is 09:00 there.
    expect(iso(lastWholePeriod('day', now, 'Europe/Berlin'))).toEqual(['2026-12-02T23:00:00.000Z', '2026-12-03T23:00:00.000Z']);
    // 01:00 UTC on the 4th is still the 3rd in New York (UTC−5): yesterday there is the 2nd.
    expect(iso(lastWholePeriod('day', Date.parse('2026-12-04T01:00:00Z'), 'America/New_York'))).toEqual([
      '2026-12-02T05:00:00.000Z',
      '2026-12-03T05:00:00.000Z',
    ]);
  });

  it('is last week, Monday to Monday, whatever day it is sent', () => {
    // 2026-12-04 is a Friday; 2026-12-07 a Monday.
    for (const now of ['2026-12-04T08:00:00Z', '2026-11-30T00:00:00Z', '2026-12-06T23:59:00Z'])
      expect(iso(lastWholePeriod('week', Date.parse(now), 'UTC'))).toEqual(['2026-11-23T00:00:00.000Z', '2026-11-30T00:00:00.000Z']);
    expect(iso(lastWholePeriod('week', Date.parse('2026-12-07T08:00:00Z'), 'UTC'))).toEqual(['2026-11-30T00:00:00.000Z', '2026-12-07T00:00:00.000Z']);
  });

  it('is 23 hours long on the day clocks go forward', () => {
    // Europe moved to summer time on Sunday 2026-03-29 (01:00 UTC).
    const p = lastWholePeriod('day', Date.parse('2026-03-30T08:00:00Z'), 'Europe/Berlin');
    expect(iso(p)).toEqual(['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
    expect(iso(lastWholePeriod('week', Date.parse('2026-03-30T08:00:00Z'), 'Europe/Berlin'))).toEqual(['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
  });
});
