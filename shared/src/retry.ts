import { sleep as wallSleep } from './clock.js';

/**
 * The one back-off of Earshot (withRetries below, the in-process bus's redelivery, the
 * connector schedule): exponential from `baseMs`, capped at `capMs`, with equal jitter
 * (half fixed, half random) so retries of many clients spread out but none retries at once.
 */
export function backoffMs(attempt: number, baseMs = 100, capMs = 10_000, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 16));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** How an operation is retried: how often, how long between tries, which errors are worth it. */
export interface RetryPolicy {
  /** Attempts in all, the first included; Infinity: until it succeeds, `stop` or `signal`. */
  attempts: number;
  /** The first wait's ceiling (jittered down to half), doubling up to `capMs` (see backoffMs). */
  baseMs: number;
  capMs: number;
  /** Whether this error is worth another attempt; every error is by default. */
  retryable?: (err: unknown) => boolean;
  /** Told of every failure, before any wait: log it, count it. */
  onError?: (err: unknown, failure: { attempt: number; retrying: boolean; waitMs: number }) => void;
  /** Asked after each wait: true ends the retries with the last error (the work was taken away). */
  stop?: () => boolean;
  /** Aborts a wait; no attempt starts after it. */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/**
 * The one retry loop of Earshot (store inserts, bus handlers, notifiers, the helpdesk
 * hand-off): runs `fn` until it resolves, then returns its value; throws the last error
 * once the policy gives up. Waits are the shared exponential back-off with jitter.
 */
export async function withRetries<T>(fn: (attempt: number) => Promise<T>, policy: RetryPolicy): Promise<T> {
  const sleep = policy.sleep ?? wallSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      const retrying = attempt < policy.attempts && !policy.signal?.aborted && (policy.retryable?.(err) ?? true);
      const waitMs = retrying ? backoffMs(attempt - 1, policy.baseMs, policy.capMs, policy.random) : 0;
      policy.onError?.(err, { attempt, retrying, waitMs });
      if (!retrying) throw err;
      await sleep(waitMs, policy.signal);
      if (policy.signal?.aborted || policy.stop?.()) throw err;
    }
  }
}
