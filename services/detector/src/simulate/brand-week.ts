import { poisson, seededRandom } from '@earshot/shared';

/**
 * Seeded per-minute rollups of one brand over two weeks (the first is history), with a
 * daily and weekly rhythm, quiet nights, day-to-day drift and overdispersed noise, and
 * at most one injected incident in the second week. What `npm run eval:alerts` runs the
 * stream detectors over.
 */
export const INCIDENT_KINDS = ['outage', 'slide', 'viral', 'campaign', 'silence', 'control'] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export interface Incident {
  kind: IncidentKind;
  /** Size against the affected series' usual level at that time (3 = three times). */
  size: number;
  start: number;
  end: number;
  /** The source that goes silent. */
  source?: number;
}

export interface BrandWeek {
  /** Mentions a day, on average. */
  volume: number;
  minutes: number;
  /** Index of the first evaluated minute (the second week). */
  evalFrom: number;
  sources: string[];
  /** Per source, per minute. */
  total: Float64Array[];
  positive: Float64Array[];
  negative: Float64Array[];
  complaints: Float64Array;
  /** Complaints expected each minute without the incident (the mean the noise is drawn around). */
  usualComplaints: Float64Array;
  incident: Incident;
  /** The viral post, when there is one: engagement per minute and its author's followers. */
  viral?: { at: number; velocity: number; followers: number };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Gamma(shape k, mean 1) by Marsaglia–Tsang: mention counts vary more than Poisson. */
function gammaMeanOne(rand: () => number, k: number): number {
  const d = k - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = gaussian(rand);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rand();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return (d * v) / k;
  }
}

const DAY = 1440;
/** Complaints among a brand's mentions on an ordinary day. */
const COMPLAINT_SHARE = 0.08;
/** Quiet nights, a morning rise, an afternoon peak; UTC for simplicity. */
const diurnal = (minuteOfDay: number) => 0.08 + 0.92 * Math.max(0, Math.sin(((minuteOfDay / 60 - 6) / 18) * Math.PI)) ** 1.5;
const weekly = (day: number) => (day % 7 === 5 || day % 7 === 6 ? 0.7 : 1);

export function simulateBrandWeek(opts: {
  seed: number;
  volume: number;
  kind: IncidentKind;
  size: number;
  /** Gamma shape of the minute-to-minute noise (smaller: burstier); 8 by default. */ noise?: number;
}): BrandWeek {
  const rand = seededRandom(opts.seed);
  const minutes = 14 * DAY;
  const evalFrom = 7 * DAY;
  const sources = ['twitter', 'reddit', 'reviews'];
  const shares = [0.55, 0.3, 0.15];
  const shape = (m: number) => diurnal(m % DAY) * weekly(Math.floor(m / DAY));
  let mean = 0;
  for (let m = 0; m < DAY * 7; m++) mean += shape(m);
  const perMinute = opts.volume / DAY / (mean / (DAY * 7));
  const dayDrift = Array.from({ length: 14 }, () => Math.exp(0.12 * gaussian(rand)));

  const incidentStart = evalFrom + Math.floor(rand() * (6 * DAY));
  const length = { outage: 120, slide: DAY, viral: 120, campaign: 12 * 60, silence: 4 * 60, control: 0 }[opts.kind];
  const incident: Incident = { kind: opts.kind, size: opts.size, start: incidentStart, end: incidentStart + length };
  if (opts.kind === 'silence') incident.source = 0;

  const make = () => sources.map(() => new Float64Array(minutes));
  const total = make();
  const positive = make();
  const negative = make();
  const complaints = new Float64Array(minutes);
  const usualComplaints = new Float64Array(minutes);
  for (let m = 0; m < minutes; m++) {
    usualComplaints[m] = perMinute * shape(m) * dayDrift[Math.floor(m / DAY)]! * COMPLAINT_SHARE;
    const base = perMinute * shape(m) * dayDrift[Math.floor(m / DAY)]! * gammaMeanOne(rand, opts.noise ?? 8);
    const inIncident = m >= incident.start && m < incident.end;
    let negShare = 0.2;
    let posShare = 0.4;
    let extraNegative = 0;
    let extraComplaints = 0;
    let extraPositive = 0;
    if (inIncident && opts.kind === 'outage') {
      // An outage multiplies complaints (and the negative mentions they are) by `size`.
      extraComplaints = (opts.size - 1) * base * COMPLAINT_SHARE;
      extraNegative = extraComplaints;
    } else if (inIncident && opts.kind === 'slide') {
      // Over a day the negative share climbs to `size` times its usual, at the positives' expense.
      const f = (m - incident.start) / length;
      negShare = Math.min(0.9, 0.2 * (1 + (opts.size - 1) * f));
      posShare = Math.max(0.02, 0.6 - negShare);
    } else if (inIncident && opts.kind === 'campaign') {
      // A campaign multiplies volume by `size`, nearly all of it positive or neutral.
      extraPositive = (opts.size - 1) * base * 0.7;
      extraNegative = (opts.size - 1) * base * 0.04;
    }
    for (let s = 0; s < sources.length; s++) {
      // A silent source (a broken connector) brings no mention at all, complaints included.
      if (opts.kind === 'silence' && inIncident && s === incident.source) continue;
      const share = shares[s]!;
      complaints[m] = complaints[m]! + poisson(rand, (base * COMPLAINT_SHARE + extraComplaints) * share);
      const neg = poisson(rand, (base * negShare + extraNegative) * share);
      const pos = poisson(rand, (base * posShare + extraPositive) * share);
      const neu = poisson(rand, base * (1 - negShare - posShare) * share + extraPositive * 0.3 * share);
      negative[s]![m] = neg;
      positive[s]![m] = pos;
      total[s]![m] = neg + pos + neu;
    }
  }
  const week: BrandWeek = { volume: opts.volume, minutes, evalFrom, sources, total, positive, negative, complaints, usualComplaints, incident };
  if (opts.kind === 'viral') {
    // `size` scales how fast it spreads: 3 ≈ 24 interactions a minute from an author of 2,000 followers.
    week.viral = { at: incident.start, velocity: 8 * opts.size, followers: 2000 };
  }
  return week;
}
