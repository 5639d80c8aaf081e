import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Bucket } from './api.js';
import { num, signed, when } from './format.js';

/**
 * Net sentiment of a bucket with fewer mentions than this is left out of the charts: on two
 * mentions it swings from −1 to 1 and says nothing (the bucket's counts still show).
 */
export const MIN_NET_MENTIONS = 5;

/** A bucket's net sentiment, or null (a gap in the line) below MIN_NET_MENTIONS mentions. */
export const netWhenCounted = (b: { mentions: number; net_sentiment: number }) => (b.mentions >= MIN_NET_MENTIONS ? b.net_sentiment : null);

/** Buckets (ISO starts) to uPlot's x in seconds. */
export const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

const NET_AXIS = 'Net sentiment (−1 to 1)';

/** "15m", "1h", "12h", "1d" in seconds. */
export function stepSeconds(interval: string): number {
  const m = /^(\d+)([smhd])$/.exec(interval);
  return m ? Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as 's' | 'm' | 'h' | 'd'] : 3600;
}

/**
 * Every bucket from `from` to `to`, the API's where it has one and `empty` where it has none
 * (the API leaves out buckets without mentions): a line then drops to zero in a quiet night
 * instead of running straight across it. Buckets start on multiples of the step since the
 * epoch, as the API's (toStartOfInterval) do.
 */
export function everyBucket<B extends { start: string }>(buckets: B[], from: string, to: string, step: number, empty: (start: string) => B): B[] {
  const at = new Map(buckets.map((b) => [seconds(b.start), b]));
  const out: B[] = [];
  const last = seconds(to);
  // Left as they are past 5,000 buckets, or off this grid (nothing of the API's is ever dropped).
  if ((last - seconds(from)) / step > 5000 || [...at.keys()].some((t) => t % step !== 0)) return buckets;
  for (let t = Math.floor(seconds(from) / step) * step; t < last; t += step) out.push(at.get(t) ?? empty(new Date(t * 1000).toISOString()));
  // A bucket outside [from, to) the API still answered stays too.
  const kept = new Set(out);
  return buckets.every((b) => kept.has(b)) ? out : buckets;
}

/** A sentiment bucket without mentions, for everyBucket. */
export const emptyBucket = (start: string): Bucket => ({ start, mentions: 0, negative: 0, neutral: 0, positive: 0, net_sentiment: 0 });

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** 'y' counts (left axis) or 'net' net sentiment, −1 to 1 (right axis). */
  scale?: 'y' | 'net';
  bars?: boolean;
}

export interface Marker {
  /** Unix seconds. */
  at: number;
  label: string;
}

interface Props {
  /** Unix seconds. */
  x: number[];
  series: ChartSeries[];
  /** The brand's events, drawn as labelled lines on the time axis. */
  markers?: Marker[];
  /** A span to shade (an alert's window), unix seconds. */
  highlight?: [number, number];
  height?: number;
  /** What the chart shows, for screen readers. */
  label: string;
  /** What the left axis counts, e.g. "Mentions per hour". */
  yLabel: string;
  /** The right axis (series with scale 'net'), when it is not net sentiment. */
  netLabel?: string;
  /** The time span to show (unix seconds), when it should not end at the last bucket. */
  xRange?: [number, number];
}

/** A time chart drawn by uPlot (canvas, fast on thousands of points), resized with its box. */
export function TimeChart({ x, series, markers = [], highlight, height = 240, label, yLabel, netLabel = NET_AXIS, xRange }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const hasNet = series.some((s) => s.scale === 'net');
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const last = x.length - 1;
    const drawExtras = (u: uPlot) => {
      const ctx = u.ctx;
      const { top, height: h } = u.bbox;
      ctx.save();
      if (highlight) {
        const l = u.valToPos(highlight[0], 'x', true);
        const r = u.valToPos(highlight[1], 'x', true);
        ctx.fillStyle = 'rgba(220, 38, 38, 0.12)';
        ctx.fillRect(l, top, Math.max(2, r - l), h);
      }
      ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
      for (const m of markers) {
        const px = u.valToPos(m.at, 'x', true);
        if (px < u.bbox.left || px > u.bbox.left + u.bbox.width) continue;
        ctx.strokeStyle = '#7c3aed';
        ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
        ctx.beginPath();
        ctx.moveTo(px, top);
        ctx.lineTo(px, top + h);
        ctx.stroke();
        ctx.fillStyle = '#5b21b6';
        const text = m.label.length > 28 ? `${m.label.slice(0, 27)}…` : m.label;
        // Written left of its line when it would run past the plot's right edge.
        const width = ctx.measureText(text).width;
        const gap = 4 * devicePixelRatio;
        const right = u.bbox.left + u.bbox.width;
        ctx.fillText(text, px + gap + width > right ? Math.max(u.bbox.left, px - gap - width) : px + gap, top + 14 * devicePixelRatio);
      }
      ctx.restore();
    };
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      scales: {
        x: { time: true, ...(xRange ? { range: xRange } : {}) },
        // Counts from zero: a bar's height reads as its size.
        y: { range: (_u: uPlot, _min: number, max: number) => uPlot.rangeNum(0, max > 0 ? max : 1, 0.1, true) },
        ...(hasNet ? { net: { range: [-1, 1] as uPlot.Range.MinMax } } : {}),
      },
      axes: [{}, { scale: 'y', size: 50 }, ...(hasNet ? [{ scale: 'net', side: 1 as const, grid: { show: false }, size: 44 }] : [])],
      series: [
        { label: 'Time', value: (_u: uPlot, v: number | null, _s: number, i: number | null) => (i === null ? `latest, ${stamp(x[last])}` : stamp(v)) },
        ...series.map((s) => ({
          label: s.label,
          // Off the chart, the legend reads the latest bucket instead of "--".
          value: (_u: uPlot, v: number | null, _s: number, i: number | null) => show(s, i === null ? s.values[last] : v),
          scale: s.scale ?? 'y',
          stroke: s.color,
          width: 2,
          ...(s.bars ? { paths: uPlot.paths.bars!({ size: [0.8, 40] }), fill: `${s.color}55` } : {}),
          points: { show: false },
        })),
      ],
      hooks: { draw: [drawExtras] },
      legend: { live: true },
    };
    const plot = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    plot.setLegend({ idxs: opts.series.map(() => null) });
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, series, markers, highlight, height, xRange]);
  return (
    <figure class="chart" aria-label={label}>
      <div class="chart-axes" data-testid="chart-axes">
        {series.some((s) => (s.scale ?? 'y') === 'y') && <span>{yLabel}</span>}
        {hasNet && <span class="axis-net">{netLabel}</span>}
      </div>
      <div ref={box} />
    </figure>
  );
}

const stamp = (v: number | null | undefined) => (v === null || v === undefined ? '–' : when(new Date(v * 1000).toISOString()));
const show = (s: ChartSeries, v: number | null | undefined) => (s.scale === 'net' ? signed(v) : num(v));
