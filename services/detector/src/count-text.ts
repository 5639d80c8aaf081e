/**
 * An expected count as a person reads it: whole numbers from 10 ("about 52 expected", not
 * 51.73), one decimal below, one significant digit under 1 ("0.04").
 */
export function roughCount(x: number): string {
  if (x >= 10) return String(Math.round(x));
  if (x >= 1) return String(Math.round(x * 10) / 10);
  return x > 0 ? String(Number(x.toPrecision(1))) : '0';
}
