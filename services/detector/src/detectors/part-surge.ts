import type { BucketSeries } from '@earshot/shared';
import { detectSurge } from '../checks/count-surge.js';
import { crowdIsThePart } from '../checks/crowd.js';
import { explainedByShare, type ShareRiseOptions } from '../checks/share-chart.js';
import type { DetectorOptions } from './contract.js';

/**
 * A surge in a part's count (negatives, complaints) against its seasonal baseline pages
 * unless the whole's volume explains it: the window's mentions bring that many of the part
 * at its usual share (a binomial test), and the crowd above the usual is not mostly the
 * part. A campaign's crowd brings negatives too and is not a problem; an outage's crowd is
 * one, even where the part was already the majority. Shared by negative_volume_surge and
 * complaint_surge.
 */
export function partSurge(part: BucketSeries, whole: BucketSeries, o: DetectorOptions, share: ShareRiseOptions = o.share) {
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
