// npm run eval:alerts — the stream detectors' decisions (detectors.ts, alert-book.ts: the same
// functions the detector service runs on ClickHouse rollups) replayed minute by minute over
// seeded simulated brand-weeks with injected incidents and quiet controls. Prints recall per
// incident kind and size, detection delay in stream minutes, and false alerts per brand-month.
// EARSHOT_EVAL_SEEDS sets brand-weeks per cell (default 1: 96 brand-weeks, about 3 minutes);
// EARSHOT_EVAL_SENSITIVITY the brands' sensitivity (low, medium, high; default medium).
import { AlertBook, type Firing } from '../src/alert-book.js';
import { SENSITIVITY } from '../src/detectors.js';
import { DETECTORS, seriesMinutes } from '../src/registry.js';
import { brandViews } from '../src/simulate/brand-view.js';
import { INCIDENT_KINDS, simulateBrandWeek, type BrandWeek, type IncidentKind } from '../src/simulate/brand-week.js';

const sensitivity = (process.env.EARSHOT_EVAL_SENSITIVITY ?? 'medium') as keyof typeof SENSITIVITY;
if (!SENSITIVITY[sensitivity]) throw new Error(`EARSHOT_EVAL_SENSITIVITY must be one of ${Object.keys(SENSITIVITY).join(', ')}`);
// EARSHOT_EVAL_SHARE_THRESHOLD tries another CUSUM threshold for the share detectors.
// EARSHOT_EVAL_SHARE_ODDS (e.g. 1.5,2,5) tries other odds ratios for its charts.
const shareThreshold = process.env.EARSHOT_EVAL_SHARE_THRESHOLD;
const shareOdds = process.env.EARSHOT_EVAL_SHARE_ODDS;
// EARSHOT_EVAL_COMPLAINT_THRESHOLD tries another threshold for the complaint share chart alone.
const complaintThreshold = process.env.EARSHOT_EVAL_COMPLAINT_THRESHOLD;
// EARSHOT_EVAL_SHARE_MIN_BASELINE tries another least baseline (mentions) before a share chart runs.
const shareMinBaseline = process.env.EARSHOT_EVAL_SHARE_MIN_BASELINE;
const o = {
  ...SENSITIVITY[sensitivity],
  ...(complaintThreshold ? { complaintThreshold: Number(complaintThreshold) } : {}),
  share: {
    ...SENSITIVITY[sensitivity].share,
    ...(shareThreshold ? { threshold: Number(shareThreshold) } : {}),
    ...(shareOdds ? { odds: shareOdds.split(',').map(Number) } : {}),
    ...(shareMinBaseline ? { minBaseline: Number(shareMinBaseline) } : {}),
  },
};
// A second check the thresholds were not chosen on: other seeds (EARSHOT_EVAL_SEED_FROM) and
// burstier traffic (EARSHOT_EVAL_NOISE, the gamma shape of minute-to-minute noise; 8 by default, smaller is burstier).
const noise = Number(process.env.EARSHOT_EVAL_NOISE ?? 8);
const SERIES = seriesMinutes(o);
/** The simulated incidents each alert kind exists to catch, from the registry. */
const RELEVANT = Object.fromEntries(INCIDENT_KINDS.map((k) => [k, DETECTORS.filter((d) => d.catches.includes(k)).map((d) => d.kind as string)])) as Record<
  IncidentKind,
  string[]
>;

/** Alerts opened over the evaluated week by every registered detector: kind and stream minute. */
function replay(w: BrandWeek): { kind: string; at: number }[] {
  const book = new AlertBook();
  const opened: { kind: string; at: number }[] = [];
  const at = brandViews(w, SERIES);
  for (let m = w.evalFrom; m < w.minutes; m++) {
    const series = at(m);
    const firings: Firing[] = DETECTORS.flatMap((d) => d.detect(series, o)).map((x) => ({ ...x, brand: 'b', samples: [] }));
    for (const a of book.apply(firings, series.now)) if (a.status === 'open') opened.push({ kind: a.kind, at: m });
  }
  return opened;
}

const quantile = (xs: number[], q: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

const seeds = Number(process.env.EARSHOT_EVAL_SEEDS ?? 1);
const volumes = [300, 1000, 3000, 10_000];
const sizes = [2, 3, 5, 10];
type Row = {
  kind: IncidentKind;
  size: number;
  volume: number;
  detected: boolean;
  delay: number | null;
  /** Outages: the earliest minute the data could show it (see informationDelay). */
  bound: number | null;
  falseAlerts: number;
  falseKinds: string[];
};

/**
 * How soon any detector allowed one false alarm a month could see an outage, at best: the
 * minutes until the complaints' evidence (the Poisson Kullback–Leibler divergence of k times
 * the usual rate from the usual, summed minute by minute) reaches ln(minutes in a month),
 * the threshold a CUSUM needs for that false-alarm rate (Lorden 1971). It ignores the
 * bursts the simulator adds, so real detectors can only be slower. Null when the whole
 * outage carries too little evidence.
 */
const MONTH_NATS = Math.log(30 * 1440);
function informationDelay(w: BrandWeek): number | null {
  const k = w.incident.size;
  const perUsual = k * Math.log(k) - (k - 1);
  let evidence = 0;
  for (let m = w.incident.start; m < w.incident.end; m++) {
    evidence += w.usualComplaints[m]! * perUsual;
    if (evidence >= MONTH_NATS) return m - w.incident.start;
  }
  return null;
}
const rows: Row[] = [];
const started = Date.now();
let seed = Number(process.env.EARSHOT_EVAL_SEED_FROM ?? 1);
let weeks = 0;
const planned = INCIDENT_KINDS.reduce((n, k) => n + (k === 'control' ? 4 : sizes.length), 0) * volumes.length * seeds;
for (const kind of INCIDENT_KINDS) {
  for (const size of kind === 'control' ? [1, 1, 1, 1] : sizes) {
    for (const volume of volumes) {
      for (let s = 0; s < seeds; s++) {
        const w = simulateBrandWeek({ seed: seed++, volume, kind, size, noise });
        const opened = replay(w);
        const { start, end } = w.incident;
        const relevant = opened.filter((a) => RELEVANT[kind].includes(a.kind) && a.at >= start && a.at < end + 30);
        const during = (a: { at: number }) => RELEVANT[kind].length > 0 && a.at >= start && a.at < end + 60;
        rows.push({
          kind,
          size,
          volume,
          detected: relevant.length > 0,
          delay: relevant.length ? relevant[0]!.at - start : null,
          bound: kind === 'outage' ? informationDelay(w) : null,
          falseAlerts: opened.filter((a) => !during(a)).length,
          falseKinds: opened.filter((a) => !during(a)).map((a) => a.kind),
        });
        weeks++;
        process.stderr.write(`\r  ${weeks}/${planned} brand-weeks simulated and replayed`);
      }
    }
  }
}
process.stderr.write('\n');

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
const lines = [
  `Stream alert quality, ${sensitivity} sensitivity: ${weeks} simulated brand-weeks (seeds from ${Number(process.env.EARSHOT_EVAL_SEED_FROM ?? 1)}, noise shape ${noise}; ${volumes.join(', ')} mentions/day; ${seeds} per cell), detectors run every stream minute (${((Date.now() - started) / 1000).toFixed(0)} s)`,
  '',
  '| incident | size | brand-weeks | recall | recall ≥ 1,000/day | delay p50 | delay p95 |',
  '|---|---|---|---|---|---|---|',
];
for (const kind of INCIDENT_KINDS.filter((k) => RELEVANT[k].length)) {
  for (const size of sizes) {
    const cell = rows.filter((r) => r.kind === kind && r.size === size);
    const big = cell.filter((r) => r.volume >= 1000);
    const delays = cell.flatMap((r) => (r.delay === null ? [] : [r.delay]));
    lines.push(
      `| ${kind} | ${size}× | ${cell.length} | ${pct(cell.filter((r) => r.detected).length / cell.length)} | ${pct(big.filter((r) => r.detected).length / big.length)} | ${delays.length ? `${quantile(delays, 0.5)} min` : '–'} | ${delays.length ? `${quantile(delays, 0.95)} min` : '–'} |`,
    );
  }
}
const ms = (xs: number[]) => (xs.length ? `${quantile(xs, 0.5)} / ${quantile(xs, 0.95)} min` : '–');
lines.push(
  '',
  'Outages 3× or more by volume, against the information limit (how soon the complaint count alone lets a detector with one false alarm a month fire; luck and the other series can beat it):',
  '',
  '| mentions/day | outages | data can show | recall | recall where the data can show | delay p50 / p95 | limit p50 / p95 |',
  '|---|---|---|---|---|---|---|',
);
for (const volume of volumes) {
  const cell = rows.filter((r) => r.kind === 'outage' && r.size >= 3 && r.volume === volume);
  const showable = cell.filter((r) => r.bound !== null);
  lines.push(
    `| ${volume.toLocaleString('en-US')} | ${cell.length} | ${showable.length} | ${pct(cell.filter((r) => r.detected).length / cell.length)} | ${showable.length ? pct(showable.filter((r) => r.detected).length / showable.length) : '–'} | ${ms(cell.flatMap((r) => (r.delay === null ? [] : [r.delay])))} | ${ms(showable.map((r) => r.bound!))} |`,
  );
}
const atLeast3 = rows.filter((r) => RELEVANT[r.kind].length && r.size >= 3);
const outageDelays = rows.filter((r) => r.kind === 'outage' && r.size >= 3 && r.delay !== null).map((r) => r.delay!);
const monthsOf = (rs: Row[]) => (rs.length * 7) / 30;
const controls = rows.filter((r) => r.kind === 'control');
const campaigns = rows.filter((r) => r.kind === 'campaign');
lines.push(
  '',
  `recall, incidents 3× or more: ${pct(atLeast3.filter((r) => r.detected).length / atLeast3.length)} (target ≥ 95%)`,
  `outage delay, 3× or more: p50 ${quantile(outageDelays, 0.5)} min, p95 ${quantile(outageDelays, 0.95)} min (target p95 ≤ 5)`,
  `false alerts per brand-month: controls ${(controls.reduce((n, r) => n + r.falseAlerts, 0) / monthsOf(controls)).toFixed(2)} (target ≤ 1); campaign weeks ${(campaigns.reduce((n, r) => n + r.falseAlerts, 0) / monthsOf(campaigns)).toFixed(2)}; all weeks outside incidents ${(rows.reduce((n, r) => n + r.falseAlerts, 0) / monthsOf(rows)).toFixed(2)}`,
  `false alerts by kind, per kind of week: ${INCIDENT_KINDS.map((k) => {
    const counts = rows
      .filter((r) => r.kind === k)
      .flatMap((r) => r.falseKinds)
      .reduce<Record<string, number>>((acc, x) => ((acc[x] = (acc[x] ?? 0) + 1), acc), {});
    return `${k}: ${
      Object.entries(counts)
        .map(([x, n]) => `${x} ${n}`)
        .join(', ') || 'none'
    }`;
  }).join('; ')}`,
  `campaign weeks that paged anyone: ${campaigns.filter((r) => r.falseAlerts > 0).length} of ${campaigns.length}`,
);
process.stdout.write(`${lines.join('\n')}\n`);
