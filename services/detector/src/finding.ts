/** What a detector found in a series: what it saw, what it expected, and how sure it is. */
export interface Finding {
  observed: number;
  expected: number;
  band: [number, number];
  /** 1 − p: how sure it is not chance. */
  score: number;
  severity: 'info' | 'warning' | 'critical';
  windowStart: number;
  windowEnd: number;
}
