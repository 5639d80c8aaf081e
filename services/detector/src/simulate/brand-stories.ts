import { seededRandom, type BrandStories, type StorySeries } from '@earshot/shared';
import type { BrandWeek } from './brand-week.js';

const MIN = 60_000;
const CROWD_KINDS = new Set(['outage', 'backlash', 'campaign']);

/**
 * How a simulated brand's mentions fall into stories: a mention starts a new story with
 * `newShare`, else joins the story of a mention of the last `memory` minutes drawn at random
 * (so a story is joined in proportion to how much it is talked about now: a few large ongoing
 * topics and a long tail of small ones, which fade when nobody mentions them), and a mention
 * follows the one before it in the same minute with `repost` (reposts and threads come in
 * clumps). The story stage's online clustering splits varied texts finely: on the complaint
 * tweets nearly half of the mentions start a story, on Banking77 one in twenty
 * (docs/stories.md); 0.2 sits between. Not fitted to any detector's figures. An incident's
 * crowd (the mentions above the usual during an outage, a backlash or a campaign) is a story of its own.
 */
export const STORY_MIX = { newShare: 0.2, memory: 6 * 60, repost: 0.2 };

/** One simulated story's mentions, sparse: minute → count (and negatives). */
interface SimStory {
  id: string;
  born: number;
  minutes: number[];
  counts: number[];
  negatives: number[];
  /** Dense per-minute counts over the whole fortnight while the story is active (views read them), else null. */
  dense: { total: Uint16Array; negative: Uint16Array } | null;
}

/**
 * The stories of a simulated brand-week as the detector service reads them at the end of
 * minute `m` (`StoryStore.minuteSeries`): every mention of the week (all sources) in a story,
 * its negatives among them; the brand's new-story series; the stories with a mention in the
 * last hour, as views of the last `seriesMinutes`.
 */
export function storyViews(w: BrandWeek, seriesMinutes: number, opts: { seed: number; youngMs: number; activeMs: number }, mix = STORY_MIX) {
  const rand = seededRandom(opts.seed);
  const stories: SimStory[] = [];
  // The story of every mention of the last `memory` minutes, minute by minute (a ring).
  const recent: number[][] = Array.from({ length: mix.memory }, () => []);
  let recentCount = 0;
  let incidentStory = -1;
  const young = new Float64Array(w.minutes);
  const youngMinutes = opts.youngMs / MIN;
  for (let m = 0; m < w.minutes; m++) {
    let total = 0;
    let negative = 0;
    for (let s = 0; s < w.sources.length; s++) ((total += w.total[s]![m]!), (negative += w.negative[s]![m]!));
    const slot = recent[m % mix.memory]!;
    recentCount -= slot.length;
    slot.length = 0;
    const here: number[] = [];
    // An incident's crowd (an outage's complaints, a backlash, a campaign) is one new story:
    // each mention is in it with the share of the minute's mentions above the usual.
    const crowd = m >= w.incident.start && m < w.incident.end && CROWD_KINDS.has(w.incident.kind) ? Math.max(0, 1 - w.usualTotal[m]! / Math.max(1, total)) : 0;
    if (crowd > 0 && incidentStory < 0) {
      incidentStory = stories.length;
      stories.push({ id: 'incident', born: m, minutes: [], counts: [], negatives: [], dense: null });
    }
    for (let i = 0; i < total; i++) {
      let k: number;
      if (crowd > 0 && rand() < crowd) k = incidentStory;
      else if (i > 0 && rand() < mix.repost) k = here[i - 1]!;
      else if (recentCount === 0 || rand() < mix.newShare) {
        k = stories.length;
        stories.push({ id: `s${k}`, born: m, minutes: [], counts: [], negatives: [], dense: null });
      } else {
        // A mention of the last `memory` minutes at random: pick its minute by weight, then it.
        let r = Math.floor(rand() * recentCount);
        let j = 0;
        while (r >= recent[j]!.length) ((r -= recent[j]!.length), j++);
        k = recent[j]![r]!;
      }
      here.push(k);
    }
    // The minute's negatives are as many of its mentions, drawn at random.
    const isNegative = here.map((_, i) => i < negative);
    for (let i = isNegative.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [isNegative[i], isNegative[j]] = [isNegative[j]!, isNegative[i]!];
    }
    here.forEach((k, i) => {
      const s = stories[k]!;
      if (s.minutes[s.minutes.length - 1] !== m) (s.minutes.push(m), s.counts.push(0), s.negatives.push(0));
      s.counts[s.counts.length - 1]!++;
      if (isNegative[i]) s.negatives[s.negatives.length - 1]!++;
      if (m - s.born < youngMinutes) young[m]!++;
    });
    slot.push(...here);
    recentCount += here.length;
  }

  // Per minute, the stories with a mention in it: to find the ones active at `m` without a scan.
  const byMinute: number[][] = Array.from({ length: w.minutes }, () => []);
  stories.forEach((s, k) => s.minutes.forEach((m) => byMinute[m]!.push(k)));
  const activeMinutes = opts.activeMs / MIN;
  const dense = new Set<number>();
  return (m: number): BrandStories => {
    const end = m + 1;
    const from = Math.max(0, end - seriesMinutes);
    const ids = new Set<number>();
    for (let t = Math.max(0, end - activeMinutes); t < end; t++) for (const k of byMinute[t]!) ids.add(k);
    // Dense arrays only while a story is active: a fortnight of minutes for every story would not fit.
    for (const k of dense) if (!ids.has(k)) ((stories[k]!.dense = null), dense.delete(k));
    const active: StorySeries[] = [...ids].map((k) => {
      const s = stories[k]!;
      if (!s.dense) {
        s.dense = { total: new Uint16Array(w.minutes), negative: new Uint16Array(w.minutes) };
        s.minutes.forEach((t, i) => ((s.dense!.total[t] = s.counts[i]!), (s.dense!.negative[t] = s.negatives[i]!)));
        dense.add(k);
      }
      return {
        id: s.id,
        label: `story ${s.id}`,
        firstSeen: s.born * MIN,
        total: { start: from * MIN, bucketMs: MIN, counts: s.dense.total.subarray(from, end) },
        negative: { start: from * MIN, bucketMs: MIN, counts: s.dense.negative.subarray(from, end) },
      };
    });
    return { young: { start: from * MIN, bucketMs: MIN, counts: young.subarray(from, end) }, active };
  };
}
