// npm run eval:story-alerts — how often emerging_story opens an alert on quiet simulated
// brand-weeks (no incident: every alert is a false one), per brand-month, by volume, for typical
// and complaint-heavy brands; the mentions fall into stories as simulate/brand-stories.ts draws
// them (a few large ongoing topics, a long tail of small ones, reposts in clumps). Its
// thresholds (STORY_RISE) were chosen on seeds 1+; seeds 2001+ are the check.
// EARSHOT_EVAL_SEEDS: brand-weeks per cell (default 2); EARSHOT_EVAL_SENSITIVITY (medium);
// EARSHOT_EVAL_STORY_MIN and EARSHOT_EVAL_STORY_WINDOWS=surge|spike try other thresholds;
// EARSHOT_EVAL_FIRST_SEED (default: both 1 and 2001). Then what it catches: outages and
// backlashes whose crowd is a new story, on the first seeds.
import { AlertBook, type Firing } from '../src/alert-book.js';
import { emergingStory } from '../src/detectors/emerging-story.js';
import { seriesMinutes } from '../src/detectors/registry.js';
import { SENSITIVITY } from '../src/detectors/sensitivity.js';
import { ACTIVE_STORY_MS, NEW_STORY_MS, STORY_RISE } from '../src/checks/story-rise.js';
import { storyViews } from '../src/simulate/brand-stories.js';
import { brandViews } from '../src/simulate/brand-view.js';
import { simulateBrandWeek, type BrandWeek } from '../src/simulate/brand-week.js';

const sensitivity = (process.env.EARSHOT_EVAL_SENSITIVITY ?? 'medium') as keyof typeof SENSITIVITY;
if (!SENSITIVITY[sensitivity]) throw new Error(`EARSHOT_EVAL_SENSITIVITY must be one of ${Object.keys(SENSITIVITY).join(', ')}`);
const o = SENSITIVITY[sensitivity];
const windows = process.env.EARSHOT_EVAL_STORY_WINDOWS;
if (windows && windows !== 'surge' && windows !== 'spike') throw new Error('EARSHOT_EVAL_STORY_WINDOWS must be surge or spike');
const story = {
  minMentions: Number(process.env.EARSHOT_EVAL_STORY_MIN ?? STORY_RISE.minMentions),
  // volume_spike's windows: 5 minutes to an hour.
  windows: windows === 'spike' ? (w: number[]) => [...new Set([...w.filter((x) => x >= 5), 60])] : STORY_RISE.windows,
};
const SERIES = seriesMinutes(o);
const seeds = Number(process.env.EARSHOT_EVAL_SEEDS ?? 2);
const firstSeeds = process.env.EARSHOT_EVAL_FIRST_SEED ? [Number(process.env.EARSHOT_EVAL_FIRST_SEED)] : [1, 2001];
const volumes = [300, 1000, 3000, 10_000];
const PROFILES = [
  { name: 'typical', complaintShare: undefined },
  { name: 'complaint-heavy', complaintShare: 0.6 },
] as const;

/** Alerts emerging_story opens over minutes [from, to) of a simulated brand-week: the minute and the alert's severity and summary. */
function opened(w: BrandWeek, seed: number, from: number, to: number): { at: number; text: string }[] {
  const brand = brandViews(w, SERIES);
  const stories = storyViews(w, SERIES, { seed, youngMs: NEW_STORY_MS, activeMs: ACTIVE_STORY_MS });
  const book = new AlertBook();
  const out: { at: number; text: string }[] = [];
  for (let m = from; m < to; m++) {
    const series = { ...brand(m), stories: stories(m) };
    const firings: Firing[] = emergingStory.detect(series, o, story).map((x) => ({ ...x, brand: 'b', samples: [] }));
    for (const a of book.apply(firings, series.now)) if (a.status === 'open') out.push({ at: m, text: `${a.severity} ${a.summary}` });
  }
  return out;
}

/** Alerts emerging_story opens over a quiet brand-week's second week, with their summaries. */
function falseAlerts(seed: number, volume: number, complaintShare: number | undefined): string[] {
  const w = simulateBrandWeek({ seed, volume, kind: 'control', size: 1, complaintShare });
  return opened(w, seed, w.evalFrom, w.minutes).map((a) => a.text);
}

console.log(`emerging_story on quiet brand-weeks, sensitivity ${sensitivity}, at least ${story.minMentions} mentions, windows ${windows ?? 'surge'}`);
console.log('seeds       profile          volume/day  brand-weeks  alerts  per brand-month');
for (const first of firstSeeds) {
  let all = 0;
  let weeks = 0;
  for (const p of PROFILES)
    for (const volume of volumes) {
      let n = 0;
      for (let s = first; s < first + seeds; s++) {
        const alerts = falseAlerts(s * 7919 + volume, volume, p.complaintShare);
        n += alerts.length;
        if (process.env.EARSHOT_EVAL_VERBOSE) for (const a of alerts) console.log(`    ${a}`);
      }
      all += n;
      weeks += seeds;
      console.log(
        `${`${first}-${first + seeds - 1}`.padEnd(12)}${p.name.padEnd(17)}${String(volume).padStart(10)}  ${String(seeds).padStart(11)}  ${String(n).padStart(6)}  ${((n / seeds) * (30 / 7)).toFixed(2).padStart(15)}`,
      );
    }
  console.log(
    `${`${first}-${first + seeds - 1}`.padEnd(12)}${'all'.padEnd(17)}${''.padStart(10)}  ${String(weeks).padStart(11)}  ${String(all).padStart(6)}  ${((all / weeks) * (30 / 7)).toFixed(2).padStart(15)}`,
  );
}

// What it catches: outages and backlashes whose crowd is a new story (simulate/brand-stories.ts),
// typical brands, first seed set: the share that opened an alert during the incident, and how soon.
console.log('\nincidents whose crowd is a new story: alerts opened during them (typical brands)');
console.log('kind       size  volume/day  caught  median minutes to alert');
for (const kind of ['outage', 'backlash'] as const)
  for (const size of [3, 10])
    for (const volume of volumes) {
      const delays: number[] = [];
      for (let s = firstSeeds[0]!; s < firstSeeds[0]! + seeds; s++) {
        const w = simulateBrandWeek({ seed: s * 7919 + volume, volume, kind, size });
        const during = opened(w, s, w.incident.start - 60, w.incident.end).filter((a) => a.at >= w.incident.start);
        if (during.length) delays.push(during[0]!.at - w.incident.start);
      }
      const median = delays.length ? [...delays].sort((a, b) => a - b)[Math.floor(delays.length / 2)]! : NaN;
      console.log(
        `${kind.padEnd(10)} ${String(size).padStart(4)}  ${String(volume).padStart(10)}  ${`${delays.length}/${seeds}`.padStart(6)}  ${String(median).padStart(23)}`,
      );
    }
