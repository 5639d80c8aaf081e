import { poisson, seededRandom } from '@earshot/shared';
import { INCIDENT_KINDS, type IncidentKind } from '../incident-kinds.js';

export { INCIDENT_KINDS, type IncidentKind };

/**
 * Seeded per-minute rollups of one brand over two weeks (the first is history), with a
 * daily and weekly rhythm, quiet nights, day-to-day drift and overdispersed noise, and
 * at most one injected incident in the second week. What `npm run eval:alerts` runs the
 * stream detectors over. A complaint-heavy brand (a telecom, an airline) has most of its
 * mentions complaints already: `complaintShare` 0.55–0.65, negatives a little more.
 */
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
  /** Mentions (all sources) expected each minute without the incident. */
  usualTotal: Float64Array;
  /** Usual shares of complaints and negatives among the mentions. */
  complaintShare: number;
  negativeShare: number;
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
/** Complaints among a brand's mentions on an ordinary day, unless the brand is complaint-heavy. */
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
  /** Usual share of complaints among the mentions; 0.08 by default. */
  complaintShare?: number;
}): BrandWeek {
  const complaintShare = opts.complaintShare ?? COMPLAINT_SHARE;
  // Negatives include most complaints; a complaint-heavy brand has few positives left.
  const usualNeg = Math.max(0.2, complaintShare + 0.05);
  const usualPos = Math.min(0.4, (1 - usualNeg) * 0.6);
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
  const length = { outage: 120, slide: DAY, viral: 120, backlash: 120, campaign: 12 * 60, silence: 4 * 60, control: 0 }[opts.kind];
  const incident: Incident = { kind: opts.kind, size: opts.size, start: incidentStart, end: incidentStart + length };
  if (opts.kind === 'silence') incident.source = 0;

  const make = () => sources.map(() => new Float64Array(minutes));
  const total = make();
  const positive = make();
  const negative = make();
  const complaints = new Float64Array(minutes);
  const usualComplaints = new Float64Array(minutes);
  const usualTotal = new Float64Array(minutes);
  for (let m = 0; m < minutes; m++) {
    usualTotal[m] = perMinute * shape(m) * dayDrift[Math.floor(m / DAY)]!;
    usualComplaints[m] = usualTotal[m]! * complaintShare;
    const base = perMinute * shape(m) * dayDrift[Math.floor(m / DAY)]! * gammaMeanOne(rand, opts.noise ?? 8);
    const inIncident = m >= incident.start && m < incident.end;
    let negShare = usualNeg;
    let posShare = usualPos;
    let extraNegative = 0;
    let extraComplaints = 0;
    let extraPositive = 0;
    if (inIncident && opts.kind === 'outage') {
      // An outage multiplies complaints (and the negative mentions they are) by `size`.
      extraComplaints = (opts.size - 1) * base * complaintShare;
      extraNegative = extraComplaints;
    } else if (inIncident && opts.kind === 'slide') {
      // Over a day the negatives climb to `size` times their usual number, at the positives' expense
      // (capped at 90% of the mentions: a complaint-heavy brand's slide is mostly a count rise).
      const f = (m - incident.start) / length;
      negShare = Math.min(0.9, usualNeg * (1 + (opts.size - 1) * f));
      posShare = Math.max(0.02, usualPos + usualNeg - negShare);
    } else if (inIncident && opts.kind === 'backlash') {
      // A brand post ridiculed and reposted: volume `size` times its usual, mixed sentiment
      // (half negative, the rest positive and neutral: defenders and jokes), few of them complaints.
      extraNegative = (opts.size - 1) * base * 0.5;
      extraPositive = ((opts.size - 1) * base * 0.5) / 1.3;
      extraComplaints = (opts.size - 1) * base * 0.05;
    } else if (inIncident && opts.kind === 'campaign') {
      // A campaign multiplies volume by `size`, nearly all of it positive or neutral.
      extraPositive = (opts.size - 1) * base * 0.7;
      extraNegative = (opts.size - 1) * base * 0.04;
    }
    for (let s = 0; s < sources.length; s++) {
      // A silent source (a broken connector) brings no mention at all, complaints included.
      if (opts.kind === 'silence' && inIncident && s === incident.source) continue;
      const share = shares[s]!;
      const neg = poisson(rand, (base * negShare + extraNegative) * share);
      // Complaints are negative mentions, each one a complaint with the same chance whatever the
      // minute's volume (as a classifier labels them): drawn independently and capped at the
      // negatives, their share fell in quiet minutes and rose in bursts, which real data does not do.
      const q = Math.min(1, (base * complaintShare + extraComplaints) / Math.max(1e-12, base * negShare + extraNegative));
      let complaint = 0;
      for (let i = 0; i < neg; i++) if (rand() < q) complaint++;
      complaints[m] = complaints[m]! + complaint;
      const pos = poisson(rand, (base * posShare + extraPositive) * share);
      const neu = poisson(rand, base * (1 - negShare - posShare) * share + extraPositive * 0.3 * share);
      negative[s]![m] = neg;
      positive[s]![m] = pos;
      total[s]![m] = neg + pos + neu;
    }
  }
  const week: BrandWeek = {
    volume: opts.volume,
    minutes,
    evalFrom,
    sources,
    total,
    positive,
    negative,
    complaints,
    usualComplaints,
    usualTotal,
    complaintShare,
    negativeShare: usualNeg,
    incident,
  };
  if (opts.kind === 'viral') {
    // `size` scales how fast it spreads: 3 ≈ 24 interactions a minute from an author of 2,000 followers.
    week.viral = { at: incident.start, velocity: 8 * opts.size, followers: 2000 };
  }
  return week;
}
