import { mentionKey, type Alert } from '@earshot/shared';
import {
  historyLength,
  detectSentimentDrop,
  detectSilence,
  detectSurge,
  detectViral,
  type BucketSeries,
  type DetectorOptions,
  type Finding,
  type ViralCandidate,
  type ViralNorms,
} from './detectors.js';
import { detectShareRise, explainedByShare } from './share-rise.js';
import type { IncidentKind } from './incident-kinds.js';
import { crowdIsThePart, describeMix, leansNegative, sentimentMix } from './crowd.js';
import { roughCount } from './count-text.js';

const MIN = 60_000;

/** Everything the stream detectors read of one brand at stream time `now`. */
export interface BrandSeries {
  now: number;
  /** Per-minute counts over the same buckets, ending at `now`. */
  total: BucketSeries;
  positive: BucketSeries;
  negative: BucketSeries;
  complaints: BucketSeries;
  bySource: Map<string, { total: BucketSeries; positive: BucketSeries; negative: BucketSeries }>;
  /** Negative posts of the last hours, with their engagement, and the brand's norms. */
  viral: { candidates: ViralCandidate[]; norms: ViralNorms };
}

/** What a detector found: an alert's content before it is explained. */
export interface Detection {
  kind: Alert['kind'];
  /** What makes two findings the same incident besides kind and brand. */
  scope: string;
  source?: string;
  intent?: string;
  finding: Finding;
  summary: string;
  /** The window's mentions that explain it (rising terms, samples), when there are any. */
  explainBy?: { intent?: string; sentiment?: string; source?: string };
  samples?: Alert['sample_mentions'];
}

/**
 * A stream detector: a pure function of a brand's series. The detector service runs every
 * registered one on ClickHouse rollups each minute; `npm run eval:alerts` runs the same
 * ones on simulated brand-weeks. `catches` names the simulated incidents it exists for.
 */
export interface Detector {
  kind: Alert['kind'];
  catches: readonly IncidentKind[];
  detect(series: BrandSeries, options: DetectorOptions): Detection[];
}

const minutes = (f: Finding) => Math.round((f.windowEnd - f.windowStart) / MIN);

/** True once a series (a brand's or a source's mentions) has `o.minHistory` minutes of history to test against. */
const seasoned = (total: BucketSeries, o: DetectorOptions) => historyLength(total) * total.bucketMs >= o.minHistory * MIN;

/**
 * A surge in a part's count (negatives, complaints) against its seasonal baseline pages
 * unless the whole's volume explains it: the window's mentions bring that many of the part
 * at its usual share (a binomial test), and the crowd above the usual is not mostly the
 * part. A campaign's crowd brings negatives too and is not a problem; an outage's crowd is
 * one, even where the part was already the majority.
 */
function countSurge(part: BucketSeries, whole: BucketSeries, o: DetectorOptions, share = o.share) {
  const surge = detectSurge(part, o.surge);
  if (!surge) return null;
  if (!explainedByShare(surge, part, whole, share)) return surge;
  // The crowd is judged window by window: the most surprising window may be a longer one the
  // storm fills only in part.
  for (const w of o.surge.windows) {
    const f = detectSurge(part, { ...o.surge, windows: [w] });
    if (f && crowdIsThePart(f, whole, o.surge)) return f;
  }
  return null;
}

/**
 * More negative mentions than usual, for the brand and per source (an app-store review
 * storm can hide inside the brand's volume): a rise in their share of the mentions, or a
 * surge in their number (see countSurge).
 */
export const negativeSurge: Detector = {
  kind: 'negative_volume_surge',
  catches: ['outage', 'slide'],
  detect(s, o) {
    const find = (x: { total: BucketSeries; negative: BucketSeries }, at: DetectorOptions) =>
      seasoned(x.total, at) ? (detectShareRise(x.negative, x.total, at.share) ?? countSurge(x.negative, x.total, at)) : null;
    // The sources are as many more tests each minute: each one is held to the brand's false-alarm
    // rate divided among them (Bonferroni: p over the number of sources, the CUSUM's threshold up
    // by its log), so a brand with three sources does not page three times as often by chance.
    const sources = Math.max(1, s.bySource.size);
    const perSource = {
      ...o,
      surge: { ...o.surge, maxP: o.surge.maxP / sources },
      share: { ...o.share, threshold: o.share.threshold + Math.log(sources) },
    };
    const out: Detection[] = [];
    const brand = find(s, o);
    for (const [source, x] of s.bySource) {
      if (brand && s.bySource.size === 1) continue;
      const f = find(x, perSource);
      if (f)
        out.push({
          kind: 'negative_volume_surge',
          scope: `source:${source}`,
          source,
          finding: f,
          summary: `${f.observed} negative mentions on ${source} in ${minutes(f)} min, about ${roughCount(f.expected)} expected`,
          explainBy: { sentiment: 'negative', source },
        });
    }
    if (brand)
      out.push({
        kind: 'negative_volume_surge',
        scope: '',
        finding: brand,
        summary: `${brand.observed} negative mentions in ${minutes(brand)} min, about ${roughCount(brand.expected)} expected`,
        explainBy: { sentiment: 'negative' },
      });
    return out;
  },
};

/** A source with no mention at all where its usual traffic makes silence nearly impossible. */
export const sourceSilent: Detector = {
  kind: 'source_silent',
  catches: ['silence'],
  detect(s, o) {
    return [...s.bySource].flatMap(([source, x]) => {
      const f = seasoned(x.total, o) ? detectSilence(x.total, o.silence) : null;
      return f
        ? [
            {
              kind: 'source_silent' as const,
              scope: `source:${source}`,
              source,
              finding: f,
              summary: `no mention from ${source} in ${minutes(f)} min, about ${f.expected} expected: is its connector working?`,
            },
          ]
        : [];
    });
  },
};

/** Net sentiment well below its usual at this time of day, confirmed by many mentions. */
export const sentimentDrop: Detector = {
  kind: 'net_sentiment_drop',
  catches: ['outage', 'slide'],
  detect(s, o) {
    const f = seasoned(s.total, o) ? detectSentimentDrop(s.positive, s.negative, s.total, o.drop) : null;
    return f
      ? [
          {
            kind: 'net_sentiment_drop',
            scope: '',
            finding: f,
            summary: `net sentiment ${f.observed.toFixed(2)} over the last ${minutes(f)} min, usually ${f.expected.toFixed(2)}`,
            explainBy: { sentiment: 'negative' },
          },
        ]
      : [];
  },
};

/** More complaints than usual: a rise in their share of the brand's mentions, or in their number (see countSurge). */
export const complaintSurge: Detector = {
  kind: 'complaint_surge',
  catches: ['outage'],
  detect(s, o) {
    // Judged against the window's whole volume like negatives: in an outage the complaints
    // are the crowd and their share leaps, while a burst of reposts brings them at their usual share.
    const share = { ...o.share, threshold: o.complaintThreshold };
    if (!seasoned(s.total, o)) return [];
    const f = detectShareRise(s.complaints, s.total, share) ?? countSurge(s.complaints, s.total, o, share);
    return f
      ? [
          {
            kind: 'complaint_surge',
            scope: 'complaint',
            intent: 'complaint',
            finding: f,
            summary: `${f.observed} complaints in ${minutes(f)} min, about ${roughCount(f.expected)} expected`,
            explainBy: { intent: 'complaint' },
          },
        ]
      : [];
  },
};

/**
 * The brand's mention volume far above its seasonal baseline, whatever the sentiment: a
 * post going viral, a backlash starting, a campaign taking off. It tells the sentiment mix,
 * and pages as a problem only when the crowd is negative; a campaign's is news (info).
 * Windows of 5 minutes to an hour: a campaign or a backlash builds over an hour, while
 * ordinary traffic has bursts of a minute or two that reposts make.
 */
export const volumeSpike: Detector = {
  kind: 'volume_spike',
  catches: ['backlash', 'campaign'],
  detect(s, o) {
    if (!seasoned(s.total, o)) return [];
    const f = detectSurge(s.total, { ...o.surge, windows: [...new Set([...o.surge.windows.filter((w) => w >= 5), 60])] });
    if (!f) return [];
    const mix = sentimentMix(s, f, o.surge);
    const negative = leansNegative(mix);
    return [
      {
        kind: 'volume_spike',
        scope: '',
        finding: negative ? f : { ...f, severity: 'info' },
        summary: `${f.observed} mentions in ${minutes(f)} min, about ${roughCount(f.expected)} expected, ${negative ? 'mostly negative' : 'not mostly negative'}: ${describeMix(mix)}`,
        explainBy: {},
      },
    ];
  },
};

/** A negative post spreading far faster, or from an author far larger, than the brand's norm. */
export const viralNegative: Detector = {
  kind: 'viral_negative',
  catches: ['viral'],
  detect(s) {
    const { norms } = s.viral;
    return detectViral(s.viral.candidates, norms, s.now).map((v) => ({
      kind: 'viral_negative' as const,
      scope: mentionKey(v),
      source: v.source,
      finding: {
        observed: v.engagement,
        expected: Math.round(norms.engagementP95 * 100) / 100,
        band: [0, Math.round(norms.engagementP95 * 20 * 100) / 100] as [number, number],
        score: 0.99,
        severity: v.followers >= 100_000 || v.velocity >= 100 ? ('critical' as const) : ('warning' as const),
        windowStart: v.created_at,
        windowEnd: s.now,
      },
      summary: `Negative post spreading fast (${v.reason})${v.url ? `: ${v.url}` : ''}`,
      samples: [{ source: v.source, id: v.id, ...(v.url ? { url: v.url } : {}) }],
    }));
  },
};

/** Every stream detector, in the order their alerts are reported. */
export const DETECTORS: readonly Detector[] = [negativeSurge, sourceSilent, sentimentDrop, complaintSurge, volumeSpike, viralNegative];

/** Minutes of history the detectors read at these options (seasonal days, windows, baselines). */
export function seriesMinutes(o: DetectorOptions): number {
  const surge = o.surge.days * 1440 + o.surge.trailing + 2 * o.surge.slot + Math.max(60, ...o.surge.windows);
  const share = o.share.days * 1440 + o.share.horizon + o.share.slot;
  const drop = o.drop.days * 1440 + o.drop.window + o.drop.trailing + o.drop.slot;
  const silence = o.silence.days * 1440 + o.silence.trailing + 2 * o.silence.slot + Math.max(...o.silence.windows);
  return Math.max(surge, share, drop, silence);
}
