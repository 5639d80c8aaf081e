import type { Subscription } from './types.js';

/**
 * A consumer is stalled when one batch has been in its handler (or failing and
 * retrying) for longer than the allowed time: the process is alive but the stream is not.
 */
export function consumerHealth(subscription: Subscription | null, now: number, stallSeconds: number): { ok: boolean; detail: unknown } {
  if (!subscription) return { ok: false, detail: 'not subscribed yet' };
  const h = subscription.health();
  const busyFor = h.busySince === null ? 0 : (now - h.busySince) / 1000;
  const stalled = busyFor > stallSeconds;
  return {
    ok: !stalled && !h.rejoining,
    detail: {
      group: h.group,
      topic: h.topic,
      state: h.rejoining ? 'rejoining' : stalled ? 'stalled' : h.busySince === null ? 'idle' : 'busy',
      busy_seconds: Math.round(busyFor),
      last_commit_at: h.lastCommitAt === null ? null : new Date(h.lastCommitAt).toISOString(),
      failed_attempts: h.failedAttempts,
      last_error: h.lastError,
    },
  };
}
