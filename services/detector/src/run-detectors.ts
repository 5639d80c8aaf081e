import { alertsTopic, topTerms, type Alert, type Bus, type Clock, type Logger, type Metrics, type Sensitivity } from '@earshot/shared';
import { detectSentimentDrop, detectSilence, detectSurge, detectViral, explainedByVolume, DEFAULT_SURGE, SENSITIVITY, type BucketSeries, type Finding } from './detectors.js';
import type { DetectorQueries } from './queries.js';
import type { AlertBook, Firing } from './alert-book.js';
import type { AlertStore, CareStore, ClickHouseLease, HelpdeskHandoff } from '@earshot/shared';
import { careFirings, type CareBounds } from './care.js';
import type { NotifierQueue } from './notifiers.js';


const MIN = 60_000;
const SERIES_MINUTES = DEFAULT_SURGE.days * 1440 + DEFAULT_SURGE.trailing + 2 * DEFAULT_SURGE.slot + Math.max(...Object.values(SENSITIVITY).flatMap((o) => o.surge.windows));
const VIRAL_LOOKBACK = 2 * 60 * MIN;

export interface DetectorDeps {
  queries: DetectorQueries;
  book: AlertBook;
  store: AlertStore;
  notifiers: NotifierQueue;
  lease: ClickHouseLease;
  /** Wall-clock time, for leadership: a replica leads now, whatever stream time it analyses. */
  clock: Clock;
  bus: Bus;
  alertsTopic: string;
  logger: Logger;
  metrics: Metrics;
  care: CareStore;
  careBounds: CareBounds;
  /** Hands unanswered complaints and questions to a helpdesk, when one is configured. */
  handoff?: HelpdeskHandoff;
  /** Brands whose sensitivity the brands file sets; medium otherwise. */
  sensitivity: Record<string, Sensitivity>;
}

const samples = (rows: { source: string; id: string; url: string }[]) => rows.map((r) => ({ source: r.source, id: r.id, ...(r.url ? { url: r.url } : {}) }));

/** The sources carrying a spike, busiest first, from the window's mentions. */
const sourcesOf = (rows: { source: string }[]) =>
  [...rows.reduce((m, r) => m.set(r.source, (m.get(r.source) ?? 0) + 1), new Map<string, number>())].sort((a, b) => b[1] - a[1]).map(([source, mentions]) => ({ source, mentions }));

type Explain = (from: number, to: number, filter: { intent?: string; sentiment?: string; source?: string }) => Promise<{ window: { source: string; id: string; url: string }[]; terms: string[]; explanation: NonNullable<Firing['explanation']> }>;

/**
 * What a spike is about: the words that rose in the window against the brand's past week,
 * and where it is said, read over the same span the finding counted. The week's baseline is read once per window start within a run,
 * however many of the brand's alerts share it.
 */
function explainer(d: DetectorDeps, brand: string): Explain {
  const baselines = new Map<number, Promise<string[]>>();
  return async (from, to, filter) => {
    let baseline = baselines.get(from);
    if (!baseline) baselines.set(from, (baseline = d.queries.windowMentions(brand, from - 7 * 1440 * MIN, from, {}, 3000).then((rows) => rows.map((r) => r.text))));
    const window = await d.queries.windowMentions(brand, from, to, filter, 300);
    const terms = topTerms(window.map((r) => r.text), await baseline);
    return { window, terms, explanation: { terms, sources: sourcesOf(window) } };
  };
}
const about = (terms: string[]) => (terms.length ? `; about ${terms.map((t) => `"${t}"`).join(', ')}` : '');

async function brandFirings(d: DetectorDeps, brand: string, now: number): Promise<Firing[]> {
  const out: Firing[] = [];
  const explain = explainer(d, brand);
  const o = SENSITIVITY[d.sensitivity[brand] ?? 'medium'];
  const sentiment = await d.queries.sentimentSeries(brand, now, SERIES_MINUTES);
  // A negative surge is news only when negatives outgrow the brand's volume (not a campaign's crowd).
  const news = (f: Finding | null, total: BucketSeries) => (f && !explainedByVolume(f, total, 1.5, o.surge) ? f : null);
  const negative = news(detectSurge(sentiment.negative, o.surge), sentiment.total);
  // Per source too: an app-store review storm can hide inside a brand's overall volume.
  for (const [source, s] of sentiment.bySource) {
    const f = news(detectSurge(s.negative, o.surge), s.total);
    if (!f || (negative && sentiment.bySource.size === 1)) continue;
    const x = await explain(f.windowStart, f.windowEnd, { sentiment: 'negative', source });
    out.push({
      kind: 'negative_volume_surge',
      brand,
      scope: `source:${source}`,
      source,
      finding: f,
      summary: `${f.observed} negative mentions on ${source} in ${Math.round((f.windowEnd - f.windowStart) / MIN)} min, about ${f.expected} expected${about(x.terms)}`,
      samples: samples(x.window.slice(0, 5)),
      explanation: x.explanation,
    });
  }
  for (const [source, s] of sentiment.bySource) {
    const f = detectSilence(s.total, o.silence);
    if (f)
      out.push({
        kind: 'source_silent',
        brand,
        scope: `source:${source}`,
        source,
        finding: f,
        summary: `no mention from ${source} in ${Math.round((f.windowEnd - f.windowStart) / MIN)} min, about ${f.expected} expected: is its connector working?`,
        samples: [],
      });
  }
  const drop = detectSentimentDrop(sentiment.positive, sentiment.negative, sentiment.total, o.drop);
  if (drop) {
    const x = await explain(drop.windowStart, drop.windowEnd, { sentiment: 'negative' });
    out.push({
      kind: 'net_sentiment_drop',
      brand,
      scope: '',
      finding: drop,
      summary: `net sentiment ${drop.observed.toFixed(2)} over the last ${Math.round((drop.windowEnd - drop.windowStart) / MIN)} min, usually ${drop.expected.toFixed(2)}${about(x.terms)}`,
      samples: samples(x.window.slice(0, 5)),
      explanation: x.explanation,
    });
  }
  if (negative) {
    const x = await explain(negative.windowStart, negative.windowEnd, { sentiment: 'negative' });
    out.push({
      kind: 'negative_volume_surge',
      brand,
      scope: '',
      finding: negative,
      summary: `${negative.observed} negative mentions in ${Math.round((negative.windowEnd - negative.windowStart) / MIN)} min, about ${negative.expected} expected${about(x.terms)}`,
      samples: samples(x.window.slice(0, 5)),
      explanation: x.explanation,
    });
  }
  const complaints = detectSurge(await d.queries.complaintSeries(brand, now, SERIES_MINUTES), o.surge);
  if (complaints) out.push(await complaintFiring(explain, brand, complaints));
  const norms = await d.queries.viralNorms(brand, now);
  for (const v of detectViral(await d.queries.viralCandidates(brand, now, VIRAL_LOOKBACK), norms, now)) {
    const finding: Finding = {
      observed: v.engagement,
      expected: Math.round(norms.engagementP95 * 100) / 100,
      band: [0, Math.round(norms.engagementP95 * 20 * 100) / 100],
      score: 0.99,
      severity: v.followers >= 100_000 || v.velocity >= 100 ? 'critical' : 'warning',
      windowStart: v.created_at,
      windowEnd: now,
    };
    out.push({
      kind: 'viral_negative',
      brand,
      scope: `${v.source}:${v.id}`,
      source: v.source,
      finding,
      summary: `Negative post spreading fast (${v.reason})${v.url ? `: ${v.url}` : ''}`,
      samples: [{ source: v.source, id: v.id, ...(v.url ? { url: v.url } : {}) }],
    });
  }
  return out;
}

async function complaintFiring(explain: Explain, brand: string, f: Finding): Promise<Firing> {
  const x = await explain(f.windowStart, f.windowEnd, { intent: 'complaint' });
  return {
    kind: 'complaint_surge',
    brand,
    scope: 'complaint',
    intent: 'complaint',
    finding: f,
    summary: `${f.observed} complaints in ${Math.round((f.windowEnd - f.windowStart) / MIN)} min, about ${f.expected} expected${about(x.terms)}`,
    samples: samples(x.window.slice(0, 5)),
    explanation: x.explanation,
  };
}

/**
 * One detector run at stream time `now`: only the leader works; every brand's series
 * are tested; new alert versions are stored, published and handed to the notifiers.
 * Leadership is asked at the wall clock, so a replay over past stream time (the demo, a
 * backfill) runs beside the live schedule; it keeps its own `book` so the live run's
 * lifecycle (which resolves what has not fired lately) never interleaves with it.
 */
export async function runDetectors(d: DetectorDeps, now: number, book: AlertBook = d.book): Promise<{ leader: boolean; alerts: Alert[] }> {
  const end = d.metrics.detectorRuns.startTimer();
  if (!(await d.lease.isLeader(d.clock.now()))) {
    end({ leader: 'false' });
    return { leader: false, alerts: [] };
  }
  const firings: Firing[] = [];
  for (const brand of await d.queries.activeBrands(now)) {
    const found = await brandFirings(d, brand, now);
    if (found.length) {
      // Name what the company itself did just before, so a spike is read against its cause.
      const [event] = await d.queries.eventsNear(brand, now, 6 * 60 * MIN);
      if (event) for (const f of found) f.summary += ` (possibly linked to "${event.title}", ${new Date(event.starts_at).toISOString().slice(11, 16)} UTC)`;
    }
    firings.push(...found, ...(await careFirings(d.care, brand, now, d.careBounds)));
  }
  const versions = book.apply(firings, now);
  await d.store.save(versions);
  if (versions.length) {
    await d.bus.publish(d.alertsTopic, versions.map((a) => ({ key: alertsTopic.key(a), value: JSON.stringify(a) })));
    for (const a of versions) {
      d.metrics.alertVersions.inc({ kind: a.kind, status: a.status });
      d.logger.info({ alert: a.id, status: a.status, severity: a.severity, summary: a.summary }, `alert ${a.status}`);
    }
  }
  d.metrics.alertsOpen.reset();
  for (const a of d.book.openAlerts()) d.metrics.alertsOpen.inc({ kind: a.kind, brand: a.brand, severity: a.severity });
  await d.notifiers.deliver(versions);
  await d.handoff?.run(now, d.careBounds.windowHours);
  end({ leader: 'true' });
  return { leader: true, alerts: versions };
}
