import { complaintSurge } from './complaint-surge.js';
import { emergingStory } from './emerging-story.js';
import type { Detector, DetectorOptions } from './contract.js';
import { negativeSurge } from './negative-volume-surge.js';
import { sentimentDrop } from './net-sentiment-drop.js';
import { sourceSilent } from './source-silent.js';
import { viralNegative } from './viral-negative.js';
import { volumeSpike } from './volume-spike.js';

/** Every stream detector, in the order their alerts are reported. */
export const DETECTORS: readonly Detector[] = [negativeSurge, sourceSilent, sentimentDrop, complaintSurge, volumeSpike, viralNegative, emergingStory];

/** Minutes of history the detectors read at these options (seasonal days, windows, baselines). */
export function seriesMinutes(o: DetectorOptions): number {
  const surge = o.surge.days * 1440 + o.surge.trailing + 2 * o.surge.slot + Math.max(60, ...o.surge.windows);
  const share = o.share.days * 1440 + o.share.horizon + o.share.slot;
  const drop = o.drop.days * 1440 + o.drop.window + o.drop.trailing + o.drop.slot;
  const silence = o.silence.days * 1440 + o.silence.trailing + 2 * o.silence.slot + Math.max(...o.silence.windows);
  return Math.max(surge, share, drop, silence);
}
