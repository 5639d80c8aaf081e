import type { CareStore } from '@earshot/shared';
import type { Firing } from './alert-book.js';

export interface CareBounds {
  windowHours: number;
  /** 0: no bound. */
  maxUnanswered: number;
  /** 0: no bound. */
  maxReplyMinutes: number;
  /** The reply-time bound is only judged over at least this many answered conversations. */
  minConversations: number;
}

/**
 * Care alerts for one brand over the last `windowHours`: too many complaints no brand
 * account has answered, or a 90th-percentile time to first reply over the bound.
 */
export async function careFirings(care: CareStore, brand: string, now: number, bounds: CareBounds): Promise<Firing[]> {
  if (!bounds.maxUnanswered && !bounds.maxReplyMinutes) return [];
  const from = now - bounds.windowHours * 3_600_000;
  const { total } = await care.stats({ brand, from, to: now + 1 });
  const out: Firing[] = [];
  const unanswered = total.complaints - total.complaints_answered;
  // Observed against a bound: a warning over it, critical past `criticalTimes` the bound.
  const overBound = (observed: number, bound: number, criticalTimes: number): Firing['finding'] => ({
    observed,
    expected: bound,
    band: [0, bound],
    score: 1,
    severity: observed > criticalTimes * bound ? 'critical' : 'warning',
    windowStart: from,
    windowEnd: now,
  });
  if (bounds.maxUnanswered && unanswered > bounds.maxUnanswered) {
    const oldest = await care.queue({ brand, since: from, now, limit: 5, order: 'oldest' });
    out.push({
      kind: 'care',
      brand,
      scope: 'unanswered',
      intent: 'complaint',
      finding: overBound(unanswered, bounds.maxUnanswered, 2),
      summary: `${unanswered} complaints in the last ${bounds.windowHours} h have no brand reply (bound ${bounds.maxUnanswered}); the oldest has waited ${oldest[0]?.waiting_minutes ?? 0} min`,
      samples: oldest.map((q) => ({ source: q.source, id: q.mention.id, ...(q.mention.url ? { url: q.mention.url } : {}) })),
    });
  }
  const p90 = total.first_reply_seconds.p90;
  if (bounds.maxReplyMinutes && p90 !== null && total.answered >= bounds.minConversations && p90 > bounds.maxReplyMinutes * 60) {
    const minutes = Math.round(p90 / 60);
    out.push({
      kind: 'care',
      brand,
      scope: 'reply_time',
      finding: overBound(minutes, bounds.maxReplyMinutes, 3),
      summary: `90% of first replies took up to ${minutes} min over the last ${bounds.windowHours} h (bound ${bounds.maxReplyMinutes} min; median ${Math.round((total.first_reply_seconds.p50 ?? 0) / 60)} min)`,
      samples: [],
    });
  }
  return out;
}
