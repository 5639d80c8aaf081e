import { alertsTopic, topicMessage, type Alert, type Bus, type Clock, type Logger, type Metrics, type Sensitivity } from '@earshot/shared';
import type { BrandSeries } from './detectors/contract.js';
import { DETECTORS, seriesMinutes } from './detectors/registry.js';
import { SENSITIVITY } from './detectors/sensitivity.js';
import { alertKey, type AlertBook, type Firing } from './alert-book.js';
import type { AlertStore, CareStore, ClickHouseLease, DetectorQueries, HelpdeskHandoff, StoryStore } from '@earshot/shared';
import { ACTIVE_STORY_MS, NEW_STORY_MS } from './checks/story-rise.js';
import { careFirings, type CareBounds } from './care.js';
import { eventLine, explained, explainer } from './explain.js';

const MIN = 60_000;
const SERIES_MINUTES = Math.max(...Object.values(SENSITIVITY).map(seriesMinutes));
const VIRAL_LOOKBACK = 2 * 60 * MIN;

export interface DetectorDeps {
  queries: DetectorQueries;
  /** The stories' counts, when stories are on (EARSHOT_STORIES): emerging_story reads them. */
  stories?: StoryStore;
  book: AlertBook;
  store: AlertStore;
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
  /** When this replica's live runs last led (wall clock), null when the last one did not. */
  led: { at: number | null };
}

/** The brand's series as the detectors read them, from the rollups and recent posts. */
async function brandSeries(d: DetectorDeps, brand: string, now: number): Promise<BrandSeries> {
  const [sentiment, complaints, candidates, norms, stories] = await Promise.all([
    d.queries.sentimentSeries(brand, now, SERIES_MINUTES),
    d.queries.complaintSeries(brand, now, SERIES_MINUTES),
    d.queries.viralCandidates(brand, now, VIRAL_LOOKBACK),
    d.queries.viralNorms(brand, now),
    d.stories?.minuteSeries(brand, now, SERIES_MINUTES, { youngMs: NEW_STORY_MS, activeMs: ACTIVE_STORY_MS }),
  ]);
  return { now, ...sentiment, complaints, viral: { candidates, norms }, ...(stories ? { stories } : {}) };
}

/** Every registered detector over one brand; each finding explained by the mentions it counted. */
async function brandFirings(d: DetectorDeps, brand: string, now: number): Promise<Firing[]> {
  const explain = explainer(d.queries, brand);
  const series = await brandSeries(d, brand, now);
  const o = SENSITIVITY[d.sensitivity[brand] ?? 'medium'];
  const out: Firing[] = [];
  for (const detector of DETECTORS)
    for (const x of detector.detect(series, o)) {
      const { explainBy, samples: own, ...rest } = x;
      const firing: Firing = { ...rest, brand, samples: own ?? [] };
      out.push(explainBy ? explained(firing, await explain(x.finding.windowStart, x.finding.windowEnd, explainBy)) : firing);
    }
  return out;
}

/**
 * One detector run at stream time `now`: only the leader works; every brand's series
 * are tested; new alert versions are stored and published (the notifier service delivers them).
 * Leadership is asked at the wall clock, so a replay over past stream time (the demo, a
 * backfill) runs beside the live schedule; it keeps its own `book` so the live run's
 * lifecycle (which resolves what has not fired lately) never interleaves with it.
 */
export async function runDetectors(
  d: DetectorDeps,
  now: number,
  book: AlertBook = d.book,
  /** A backfill may test only some brands, and keep past incidents from paging or handing off today. */
  opts: { brands?: readonly string[]; notify?: boolean } = {},
): Promise<{ leader: boolean; alerts: Alert[] }> {
  const end = d.metrics.detectorRuns.startTimer();
  const wall = d.clock.now();
  const live = book === d.book;
  if (!(await d.lease.isLeader(wall))) {
    if (live) d.led.at = null;
    end({ leader: 'false' });
    return { leader: false, alerts: [] };
  }
  // Another replica may have led since this one last did (it stood by, or it was paused
  // past the lease): take the incidents up as stored, so they continue rather than reopen.
  if (live && (d.led.at === null || wall - d.led.at > d.lease.ttlMs)) d.book.restore(await d.store.list({ status: 'open', limit: 10_000 }), alertKey);
  if (live) d.led.at = wall;
  const firings: Firing[] = [];
  const active = await d.queries.activeBrands(now);
  for (const brand of opts.brands ? active.filter((b) => opts.brands!.includes(b)) : active) {
    const found = await brandFirings(d, brand, now);
    if (found.length) {
      // Name what the company itself did just before, so a spike is read against its cause.
      // Only an event that had begun when the alert opened: what starts later did not cause it.
      const events = await d.queries.eventsNear(brand, now, 6 * 60 * MIN);
      for (const f of found) {
        const event = events.find((e) => e.starts_at <= (book.openedAt(f) ?? now));
        if (event) f.summary += eventLine(event);
      }
    }
    firings.push(...found, ...(await careFirings(d.care, brand, now, d.careBounds)));
  }
  // A backfill's versions are history: flagged, so the notifier delivers them to no one.
  const versions = opts.notify === false ? book.apply(firings, now).map((a): Alert => ({ ...a, replayed: true })) : book.apply(firings, now);
  await d.store.save(versions);
  if (versions.length) {
    await d.bus.publish(
      d.alertsTopic,
      versions.map((a) => topicMessage(alertsTopic, a)),
    );
    for (const a of versions) {
      d.metrics.alertVersions.inc({ kind: a.kind, status: a.status });
      d.logger.info({ alert: a.id, status: a.status, severity: a.severity, summary: a.summary }, `alert ${a.status}`);
    }
  }
  d.metrics.alertsOpen.reset();
  for (const a of d.book.openAlerts()) d.metrics.alertsOpen.inc({ kind: a.kind, brand: a.brand, severity: a.severity });
  if (opts.notify !== false) await d.handoff?.run(now, d.careBounds.windowHours);
  end({ leader: 'true' });
  return { leader: true, alerts: versions };
}
