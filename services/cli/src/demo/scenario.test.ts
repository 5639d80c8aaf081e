import { describe, expect, it } from 'vitest';
import { generateDemoScenario } from './scenario.js';

// `npm start` generates the demo up to the hour it is run. The first round's stream began at
// that hour, so each hour of the day drew other traffic from the same seed, and from 00:00
// UTC the globex complaint alert resolved mid-outage (the demo test failed at night only).
describe('the demo scenario', () => {
  it('is the same stream, mention for mention, whatever hour it is generated at', () => {
    const afternoon = generateDemoScenario({ seed: 42, end: new Date('2026-11-24T16:20:00Z') });
    const midnight = generateDemoScenario({ seed: 42, end: new Date('2026-11-24T00:05:00Z') });
    expect(midnight.incident).toEqual(afternoon.incident);
    const upTo = (s: typeof afternoon) => s.mentions.filter((m) => m.created_at < '2026-11-23T12:00:00Z');
    expect(upTo(afternoon).length).toBeGreaterThan(3_000);
    expect(upTo(midnight)).toEqual(upTo(afternoon));
  });

  it('always holds two whole days before the outage, which starts at 08:00 UTC', () => {
    for (const end of ['2026-11-24T00:00:00Z', '2026-11-24T13:00:00Z', '2026-11-24T23:00:00Z']) {
      const s = generateDemoScenario({ seed: 42, end: new Date(end) });
      expect(s.incident.start.toISOString()).toBe('2026-11-23T08:00:00.000Z');
      expect(s.start.toISOString()).toBe('2026-11-21T00:00:00.000Z');
      expect(s.mentions.every((m) => m.created_at < end)).toBe(true);
    }
  });
});
