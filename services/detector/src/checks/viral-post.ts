import type { ViralCandidate, ViralNorms } from '@earshot/shared';

/**
 * A negative mention spreading far faster, or from an author far larger, than the
 * brand's norm. Velocity is engagement per minute since posting, so a post is caught
 * while it spreads, before the volume follows.
 */
export function detectViral(
  candidates: ViralCandidate[],
  norms: ViralNorms,
  now: number,
  opts = { factor: 20, minEngagement: 200, minFollowers: 20_000, minVelocity: 20, freshMinutes: 30 },
): (ViralCandidate & { velocity: number; reason: string })[] {
  return candidates.flatMap((c) => {
    const minutes = Math.max(1, (now - c.created_at) / 60_000);
    const velocity = c.engagement / minutes;
    const hotEngagement = c.engagement >= Math.max(opts.minEngagement, opts.factor * norms.engagementP95) && velocity >= opts.minVelocity;
    // A large author's reach is news while the post is fresh; later only its engagement says it still spreads.
    const bigAuthor = minutes <= opts.freshMinutes && c.followers >= Math.max(opts.minFollowers, opts.factor * norms.followersP95);
    if (!hotEngagement && !bigAuthor) return [];
    const reason = [
      hotEngagement ? `${Math.round(velocity)} interactions/min` : '',
      bigAuthor ? `author with ${c.followers.toLocaleString('en-US')} followers` : '',
    ]
      .filter(Boolean)
      .join(', ');
    return [{ ...c, velocity, reason }];
  });
}
