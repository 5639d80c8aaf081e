import { describe, expect, it } from 'vitest';
import { AlertBook, alertKey, type Firing } from '../alert-book.js';
import type { IncidentKind } from '../incident-kinds.js';
import { ACTIVE_STORY_MS, NEW_STORY_MS } from '../checks/story-rise.js';
import { storyViews } from '../simulate/brand-stories.js';
import { brandViews } from '../simulate/brand-view.js';
import { simulateBrandWeek, type BrandWeek } from '../simulate/brand-week.js';
import type { BrandSeries, Detector } from './contract.js';
import { DETECTORS, seriesMinutes } from './registry.js';
import { SENSITIVITY } from './sensitivity.js';

const o = SENSITIVITY.medium;
const SERIES = seriesMinutes(o);

const views = new WeakMap<BrandWeek, (m: number) => BrandSeries>();
/** The brand's series at minute m, its mentions in stories (simulate/brand-stories.ts: an incident's crowd is a story of its own). */
const at = (w: BrandWeek, m: number) => {
  let f = views.get(w);
  if (!f) {
    const brand = brandViews(w, SERIES);
    const stories = storyViews(w, SERIES, { seed: 1, youngMs: NEW_STORY_MS, activeMs: ACTIVE_STORY_MS });
    // Read only by the detectors that use them: drawing a minute's stories costs more than the rest.
    views.set(w, (f = (t) => Object.defineProperty(brand(t), 'stories', { get: () => stories(t), enumerable: true })));
  }
  return f(m);
};

/** Alerts one detector opens, minute by minute over [from, to), through the alert lifecycle. */
function replay(d: Detector, w: BrandWeek, from: number, to: number): { scope: string; at: number }[] {
  const book = new AlertBook();
  const opened: { scope: string; at: number }[] = [];
  for (let m = from; m < to; m++) {
    const s = at(w, m);
    const firings: Firing[] = d.detect(s, o).map((x) => ({ ...x, brand: 'b', samples: x.samples ?? [] }));
    for (const a of book.apply(firings, s.now)) if (a.status === 'open') opened.push({ scope: alertKey(a), at: m });
  }
  return opened;
}

/**
 * The contract every stream detector keeps (the registry's, like the connectors' one):
 * quiet traffic stays quiet; an incident it exists for opens one alert per scope while it
 * lasts; replaying the same minutes gives the same alerts.
 */
describe.each(DETECTORS.map((d) => [d.kind, d] as const))('stream detector %s', (_kind, detector) => {
  it('stays quiet through a day of ordinary traffic', () => {
    const w = simulateBrandWeek({ seed: 7, volume: 10_000, kind: 'control', size: 1 });
    expect(replay(detector, w, w.evalFrom + 8 * 60, w.evalFrom + 32 * 60)).toEqual([]);
  });

  it.each(detector.catches.map((k) => [k] as [IncidentKind]))('opens one alert per scope for a 10× %s, while it lasts', (kind) => {
    const w = simulateBrandWeek({ seed: 11, volume: 10_000, kind, size: 10 });
    const { start, end } = w.incident;
    const opened = replay(detector, w, start - 60, end + 30);
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.every((a) => a.at >= start)).toBe(true);
    expect(new Set(opened.map((a) => a.scope)).size).toBe(opened.length);
  });

  it('gives the same alerts when the same minutes are replayed', () => {
    const kind = detector.catches[0]!;
    const w = simulateBrandWeek({ seed: 13, volume: 3000, kind, size: 5 });
    const span = [w.incident.start - 30, w.incident.start + 180] as const;
    expect(replay(detector, w, ...span)).toEqual(replay(detector, w, ...span));
  });
});

describe('the registry', () => {
  it('names each alert kind once, and every simulated incident is some detector’s job', () => {
    expect(new Set(DETECTORS.map((d) => d.kind)).size).toBe(DETECTORS.length);
    for (const k of ['outage', 'slide', 'viral', 'silence'] as const) expect(DETECTORS.some((d) => d.catches.includes(k))).toBe(true);
  });
});
