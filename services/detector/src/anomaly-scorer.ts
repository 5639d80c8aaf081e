import { SeriesCore, type CoreOptions } from './core/series-core.js';

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
 * `earshot detect`'s settings of the detection core, chosen by NAB's leave-one-category-out
 * score (`npm run eval:detector`): the surge test on single points against 7 earlier days at
 * this time and the trailing 500 points, scored as a ratio to the largest surge lately (from
 * one in a million up), beside the shape views (novelty, level, daily pattern).
 */
export const DETECT_CORE: Omit<CoreOptions, 'perDay'> = {
  days: 7,
  slot: 0,
  trailing: 500,
  windows: [1],
  twoSided: true,
  robust: true,
  shapes: {},
  record: { halfLife: 10_000, floor: 6 },
};

/**
 * `earshot detect`'s per-row anomaly score: the detection core (SeriesCore) run over the
 * rows in order, so each score uses only the rows before it.
 */
export function scoreSeries(values: number[], timestamps?: string[], opts: Partial<CoreOptions> = {}): number[] {
  const core = new SeriesCore({ ...DETECT_CORE, perDay: timestamps ? pointsPerDay(timestamps) : 0, ...opts });
  return values.map((v) => core.push(v).evidence.score);
}
