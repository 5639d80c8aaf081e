import { describe, expect, it } from 'vitest';
import { poisson, seededRandom, type BrandStories, type BucketSeries, type StorySeries } from '@earshot/shared';
import { SENSITIVITY } from '../detectors/sensitivity.js';
import { emergingStory } from '../detectors/emerging-story.js';
import { NEW_STORY_MS, detectStoryRises, storyRiseSummary } from './story-rise.js';

const MIN = 60_000;
const DAYS = 3 * 1440;

/** A story: its mean mentions per minute (a function of the minute) drawn as Poisson counts, a share of them negative. */
interface StorySpec {
  id: string;
  label: string;
  born: number;
  rate: (m: number) => number;
  negativeShare?: number;
}

/**
 * A brand over three days plus `tail` minutes: its stories, the brand's total (the stories and
 * a background of mentions in small stories nobody follows), and its new-story series, as the
 * store builds them: every story's mentions while it is younger than NEW_STORY_MS. A new
 * small story is born every few minutes and brings a few mentions in its first hours.
 */
function brand(specs: StorySpec[], tail: number, seed = 1): { stories: BrandStories; total: BucketSeries } {
  const rand = seededRandom(seed);
  const n = DAYS + tail;
  const series = (c: Float64Array): BucketSeries => ({ start: 0, bucketMs: MIN, counts: c });
  const total = new Float64Array(n);
  const young = new Float64Array(n);
  // The background: 0.3 a minute in stories younger than NEW_STORY_MS, 2 a minute in older small ones.
  for (let m = 0; m < n; m++) {
    const y = poisson(rand, 0.3);
    young[m] = y;
    total[m] = y + poisson(rand, 2);
  }
  const active: StorySeries[] = specs.map((s) => {
    const t = new Float64Array(n);
    const neg = new Float64Array(n);
    for (let m = Math.max(0, s.born); m < n; m++) {
      t[m] = poisson(rand, s.rate(m));
      for (let i = 0; i < t[m]!; i++) if (rand() < (s.negativeShare ?? 0.2)) neg[m]!++;
      total[m]! += t[m]!;
      if ((m - s.born) * MIN < NEW_STORY_MS) young[m]! += t[m]!;
    }
    return { id: s.id, label: s.label, firstSeen: s.born * MIN, total: series(t), negative: series(neg) };
  });
  return { stories: { young: series(young), active }, total: series(total) };
}

const steady = (rate: number) => () => rate;
const o = SENSITIVITY.medium;
const oldStories: StorySpec[] = [
  { id: 's1', label: 'card arrival', born: 0, rate: steady(1.5) },
  { id: 's2', label: 'app login', born: 100, rate: steady(0.6) },
  { id: 's3', label: 'exchange rate', born: 900, rate: steady(0.1) },
];

describe('emerging stories', () => {
  it('pages on a new story growing fast, naming it with its counts and sentiment', () => {
    const outage = { id: 'n1', label: 'payment declined at checkout', born: DAYS, rate: steady(8), negativeShare: 0.8 };
    const { stories, total } = brand([...oldStories, outage], 10);
    const found = detectStoryRises(stories, total, o);
    expect(found.map((r) => [r.story.id, r.isNew])).toEqual([['n1', true]]);
    expect(storyRiseSummary(found[0]!)).toMatch(
      /^new story "payment declined at checkout": \d+ mentions in \d+ min, [6-9]\d% negative \(new stories usually bring about [\d.]+\)$/,
    );
  });

  it('does not page on steady old stories, nor on a new story that trickles in', () => {
    for (const seed of [1, 2, 3]) {
      // One mention every three minutes for two hours: a new story, but what new stories do.
      const trickle = { id: 't1', label: 'refund status', born: DAYS - 120, rate: steady(0.33) };
      const { stories, total } = brand([...oldStories, trickle], 60, seed);
      for (let end = DAYS - 60; end <= DAYS + 60; end += 5) {
        const cut = (s: BucketSeries): BucketSeries => ({ ...s, counts: (s.counts as Float64Array).subarray(0, end) });
        const at: BrandStories = {
          young: cut(stories.young),
          active: stories.active.map((s) => ({ ...s, total: cut(s.total), negative: cut(s.negative) })),
        };
        expect(detectStoryRises(at, cut(total), o)).toEqual([]);
      }
    }
  });

  it('pages on an old story rising against its own baseline', () => {
    const login = { id: 's2', label: 'app login', born: 100, rate: (m: number) => (m >= DAYS ? 8 : 0.6), negativeShare: 0.9 };
    const { stories, total } = brand([oldStories[0]!, login, oldStories[2]!], 10);
    const found = detectStoryRises(stories, total, o);
    expect(found.map((r) => [r.story.id, r.isNew])).toEqual([['s2', false]]);
    expect(storyRiseSummary(found[0]!)).toMatch(/^story "app login": \d+ mentions in \d+ min, \d+% negative \(about [\d.]+ expected\)$/);
  });

  it('does not page when the whole brand rises and the story only keeps its share (a campaign lifts every story)', () => {
    const lift = (rate: number) => (m: number) => (m >= DAYS ? rate * 5 : rate);
    const specs = oldStories.map((s) => ({ ...s, rate: lift(s.rate(0)) }));
    const { stories, total } = brand(specs, 15);
    // The background lifted alike: the brand's whole volume five times its usual.
    const counts = total.counts as Float64Array;
    const rand = seededRandom(9);
    for (let m = DAYS; m < counts.length; m++) counts[m]! += poisson(rand, 4 * 2.3);
    expect(detectStoryRises(stories, total, o).map((r) => r.story.id)).toEqual([]);
  });

  it('as the emerging_story detector: one alert per story, a page when the story is mostly negative, news (info) when not', () => {
    const detect = (negativeShare: number) => {
      const launch = { id: 'n2', label: 'new colours', born: DAYS, rate: steady(8), negativeShare };
      const { stories, total } = brand([...oldStories, launch], 10);
      const none = { ...total, counts: new Float64Array(total.counts.length) };
      return emergingStory.detect(
        {
          now: DAYS * MIN + 10 * MIN,
          total,
          positive: none,
          negative: none,
          complaints: none,
          bySource: new Map(),
          viral: { candidates: [], norms: { engagementP95: 5, followersP95: 800 } },
          stories,
        },
        o,
      );
    };
    const outage = detect(0.8);
    expect(outage.map((d) => [d.kind, d.scope, d.explainBy])).toEqual([['emerging_story', 'story:n2', { story: 'n2' }]]);
    expect(outage[0]!.finding.severity).not.toBe('info');
    expect(detect(0.1).map((d) => d.finding.severity)).toEqual(['info']);
  });
});
