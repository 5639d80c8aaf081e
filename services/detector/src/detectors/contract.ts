import type { Alert, BrandStories, BucketSeries, ViralCandidate, ViralNorms } from '@earshot/shared';
import type { SurgeOptions } from '../checks/count-surge.js';
import type { DropOptions } from '../checks/sentiment-drop.js';
import type { ShareRiseOptions } from '../checks/share-chart.js';
import type { SilenceOptions } from '../checks/silence.js';
import type { Finding } from '../finding.js';
import type { IncidentKind } from '../incident-kinds.js';

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
  /** The brand's stories per minute (StoryStore.minuteSeries), when stories are on (EARSHOT_STORIES). */
  stories?: BrandStories;
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
  explainBy?: { intent?: string; sentiment?: string; source?: string; story?: string };
  samples?: Alert['sample_mentions'];
}

/**
 * The thresholds every detector reads, one set per sensitivity (sensitivity.ts assembles
 * them from each detector's own).
 */
export interface DetectorOptions {
  surge: SurgeOptions;
  share: ShareRiseOptions;
  /** The complaint share chart's CUSUM threshold (the outage signal), apart from the negatives' charts. */
  complaintThreshold: number;
  drop: DropOptions;
  silence: SilenceOptions;
  /**
   * Minutes of history (since the first mention of the series tested) before any count, share,
   * sentiment or silence test may fire: on a history imported a moment ago, the baseline is
   * a few minutes of the first hour, and an ordinary morning rise looks like a surge.
   */
  minHistory: number;
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
