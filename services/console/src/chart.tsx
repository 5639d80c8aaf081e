import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

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
}

/** A time chart drawn by uPlot (canvas, fast on thousands of points), resized with its box. */
export function TimeChart({ x, series, markers = [], highlight, height = 240, label }: Props) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const hasNet = series.some((s) => s.scale === 'net');
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
        ctx.fillText(m.label.length > 28 ? `${m.label.slice(0, 27)}…` : m.label, px + 4 * devicePixelRatio, top + 14 * devicePixelRatio);
      }
      ctx.restore();
    };
    const opts: uPlot.Options = {
      width: el.clientWidth || 600,
      height,
      scales: { x: { time: true }, ...(hasNet ? { net: { range: [-1, 1] as uPlot.Range.MinMax } } : {}) },
      axes: [{}, { scale: 'y', size: 50 }, ...(hasNet ? [{ scale: 'net', side: 1 as const, grid: { show: false }, size: 44 }] : [])],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
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
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, series, markers, highlight, height]);
  return <figure class="chart" aria-label={label} ref={box} />;
}

/** Buckets (ISO starts) to uPlot's x in seconds. */
export const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
