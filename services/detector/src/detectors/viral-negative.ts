import { mentionKey } from '@earshot/shared';
import { detectViral } from '../checks/viral-post.js';
import type { Detector } from './contract.js';

/**
 * A negative post spreading far faster, or from an author far larger, than the brand's norm.
 * Thresholds: the viral check's (checks/viral-post.ts), the same at every sensitivity; it is
 * critical from an author of 100,000 followers or 100 interactions a minute.
 */
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
