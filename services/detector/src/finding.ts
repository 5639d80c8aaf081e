/** What a detector found in a series: what it saw, what it expected, and how sure it is. */
export interface Finding {
  observed: number;
  expected: number;
  band: [number, number];
  /** 1 − p: how sure it is not chance. */
  score: number;
  /**
   * How many times the usual it is, where observed / expected understates it: a share past
   * half (65% → 90% negatives is 1.4× their count, but the rest shrank 3.5×). Severity reads it.
   */
  ratio?: number;
  severity: 'info' | 'warning' | 'critical';
  windowStart: number;
  windowEnd: number;
}

/** A finding's window in whole minutes, as summaries state it. */
export const windowMinutes = (f: Finding) => Math.round((f.windowEnd - f.windowStart) / 60_000);
