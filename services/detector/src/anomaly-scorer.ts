import { DEFAULT_DETECTOR, SeriesDetector, type SeriesDetectorOptions } from './core/series-detector.js';

const parseTime = (t: string) => Date.parse(t.includes('T') || t.endsWith('Z') ? t : `${t.replace(' ', 'T')}Z`);

/**
 * Points per day from the sampling interval (the median of the first gaps, so known
 * after a few rows); 0 when the interval is under a minute or over six hours, or unknown.
 */
export function pointsPerDay(timestamps: string[]): number {
  const ms = timestamps.slice(0, 21).map(parseTime);
  if (ms.length < 3 || ms.some(Number.isNaN)) return 0;
  const gaps = ms
    .slice(1)
    .map((t, i) => t - ms[i]!)
    .filter((g) => g > 0)
    .sort((a, b) => a - b);
  const step = gaps[Math.floor(gaps.length / 2)];
  if (!step || step < 60_000 || step > 6 * 3_600_000) return 0;
  return Math.round(86_400_000 / step);
}

/**
 * `earshot detect`'s per-row anomaly score: the streaming SeriesDetector run over the
 * rows in order, so each score uses only the rows before it.
 */
export function scoreSeries(values: number[], timestamps?: string[], opts: Partial<SeriesDetectorOptions> = {}): number[] {
  const detector = new SeriesDetector({ ...DEFAULT_DETECTOR, perDay: timestamps ? pointsPerDay(timestamps) : 0, ...opts });
  return values.map((v) => detector.update(v));
}
