import type { BrandStories, BucketSeries, StorySeries } from '@earshot/shared';
import { detectSurge } from './count-surge.js';
import type { DetectorOptions } from '../detectors/contract.js';
import { windowMinutes, type Finding } from '../finding.js';
import { partSurge } from '../detectors/part-surge.js';
import { roughCount } from '../count-text.js';

const MIN = 60_000;

/** A story first seen less than this long ago is new: its own history cannot be its baseline. */
export const NEW_STORY_MS = 6 * 60 * MIN;
/** The stories tested each minute: those with a mention in the last hour. */
export const ACTIVE_STORY_MS = 60 * MIN;

export interface StoryRiseOptions {
  /** A story's rise needs at least this many mentions in its window (and the count surge's own floor). */
  minMentions: number;
  /** The windows tested, from the count surge's (in minutes). */
  windows: (surgeWindows: number[]) => number[];
}

/**
 * The count surge's own windows (2, 5 and 15 minutes; an hour too at high sensitivity) and at
 * least 20 mentions: a story is its reposts, which come in clumps. Chosen on simulated quiet
 * brand-weeks (seeds 1-2, `npm run eval:story-alerts`: false alerts per brand-month 29.5 at
 * 5 mentions, 5.1 at 10, 0.8 at 15, 0 at 20; volume_spike's windows of 5 to 60 minutes gave
 * 40.7 at 5), checked on seeds 2001+.
 */
export const STORY_RISE: StoryRiseOptions = { minMentions: 20, windows: (w) => w };

/** A story that rose: which one, how, and the finding its alert carries. */
export interface StoryRise {
  story: StorySeries;
  /** New: first seen within NEW_STORY_MS; its window surprising against the brand's new stories. Old: against its own baseline. */
  isNew: boolean;
  finding: Finding;
  /** Negative mentions of the story in the finding's window. */
  negative: number;
}

const sumIn = (s: BucketSeries, from: number, to: number) => {
  let n = 0;
  const i0 = Math.max(0, Math.round((from - s.start) / s.bucketMs));
  const i1 = Math.min(s.counts.length, Math.round((to - s.start) / s.bucketMs));
  for (let i = i0; i < i1; i++) n += s.counts[i]!;
  return n;
};

/**
 * Stories rising, by the stream's count test (detectSurge) at the brand's sensitivity:
 *
 * - a **new** story (first seen within NEW_STORY_MS): new stories are born all the time and
 *   have no past of their own, so the test runs on the brand's mentions of new stories
 *   (`stories.young`) against their usual number at this time of day; when they surge, the
 *   story carrying at least half of the excess is the one that rose (a new story's first
 *   minutes alone, however steep, are what every new story does);
 * - an **old** story, against its own seasonal baseline, unless the brand's volume explains
 *   it and the crowd above the usual is not mostly this story (partSurge, as negatives and
 *   complaints are judged: a campaign's crowd lifts every story at its usual share, and
 *   `volume_spike` says that).
 *   Each story is one more test each minute, so each is held to the false-alarm rate divided
 *   among the stories tested (Bonferroni, as the sources are in negative_volume_surge).
 */
export function detectStoryRises(stories: BrandStories, total: BucketSeries, o: DetectorOptions, opts: StoryRiseOptions = STORY_RISE): StoryRise[] {
  const now = total.start + total.counts.length * total.bucketMs;
  const surge = { ...o.surge, windows: opts.windows(o.surge.windows), minCount: Math.max(o.surge.minCount, opts.minMentions) };
  const fresh = stories.active.filter((s) => now - s.firstSeen < NEW_STORY_MS);
  const old = stories.active.filter((s) => now - s.firstSeen >= NEW_STORY_MS);
  const out: StoryRise[] = [];

  const young = fresh.length ? detectSurge(stories.young, surge) : null;
  if (young) {
    const excess = young.observed - young.expected;
    for (const s of fresh) {
      const c = sumIn(s.total, young.windowStart, young.windowEnd);
      if (c < surge.minCount || c - young.expected < excess / 2) continue;
      out.push({ story: s, isNew: true, finding: { ...young, observed: c }, negative: sumIn(s.negative, young.windowStart, young.windowEnd) });
    }
  }

  const perStory = { ...surge, maxP: surge.maxP / Math.max(1, old.length) };
  const longest = Math.max(...surge.windows);
  for (const s of old) {
    // Fewer than minCount mentions over the longest window: no window can fire (most stories, most minutes).
    if (sumIn(s.total, now - longest * s.total.bucketMs, now) < surge.minCount) continue;
    const f = partSurge(s.total, total, { ...o, surge: perStory });
    if (!f) continue;
    out.push({ story: s, isNew: false, finding: f, negative: sumIn(s.negative, f.windowStart, f.windowEnd) });
  }
  return out;
}

/** The alert's summary: `new story "payment declined at checkout": 43 mentions in 30 min, 80% negative`. */
export function storyRiseSummary(r: StoryRise): string {
  const { finding: f } = r;
  const negative = f.observed ? Math.round((100 * r.negative) / f.observed) : 0;
  const label = r.story.label || r.story.id;
  const usual = r.isNew ? `new stories usually bring about ${roughCount(f.expected)}` : `about ${roughCount(f.expected)} expected`;
  return `${r.isNew ? 'new story' : 'story'} "${label}": ${f.observed} mentions in ${windowMinutes(f)} min, ${negative}% negative (${usual})`;
}
