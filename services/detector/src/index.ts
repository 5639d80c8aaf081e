import { hostname } from 'node:os';
import cron from 'node-cron';
import {
  AlertStore,
  CareStore,
  ClickHouseLease,
  DetectorQueries,
  HelpdeskHandoff,
  StoryStore,
  alertsTopic,
  errorMessage,
  requireStore,
  topicName,
  type Alert,
  type Deps,
  type Sensitivity,
  type Service,
} from '@earshot/shared';
import { AlertBook, alertKey } from './alert-book.js';
import { runDetectors, type DetectorDeps } from './run-detectors.js';

export { scoreSeries, pointsPerDay, DETECT_CORE } from './anomaly-scorer.js';
export { SeriesCore, type CoreOptions, type Reading } from './core/series-core.js';
export type { Evidence, View } from './core/evidence.js';
export { surgeAt, type SurgeModel } from './core/surge.js';
export {
  nabScore,
  optimiseThreshold,
  scoreAt,
  scaledSigmoid,
  PROFILES,
  STANDARD_PROFILE,
  type LabelledSeries,
  type NabResult,
  type CostProfile,
  type ProfileName,
} from './nab-score.js';
export { parseSeriesCsv, loadNab, type Series } from './nab-data.js';
export { detectSurge, DEFAULT_SURGE } from './checks/count-surge.js';
export { detectViral } from './checks/viral-post.js';
export { detectShareRise, DEFAULT_SHARE_RISE, type ShareRiseOptions } from './checks/share-chart.js';
export { SENSITIVITY } from './detectors/sensitivity.js';
export { DETECTORS } from './detectors/registry.js';
export type { Detector, Detection, BrandSeries, DetectorOptions } from './detectors/contract.js';

export { webhookNotifier, slackNotifier, incidentNote, NotifierQueue, post as postJson, type Notifier } from './notifiers.js';

export interface DetectorService extends Service {
  /** One run at stream time `now` (the clock's now by default); what the schedule calls. */
  runOnce(now?: number): ReturnType<typeof runDetectors>;
  /**
   * Detection replayed over past stream time, one run per `stepMs` from `from` to `to`
   * (a backfill, the demo): safe beside the live schedule, with its own incident lifecycle.
   * Returns every alert version it produced, in order. `brands` limits it to those brands;
   * `notify: false` stores and publishes the alerts flagged `replayed`, which the notifier
   * delivers to no one, and hands nothing off (a backfill's incidents are history). `onStep` learns whether this replica led the step.
   * `stopWhenQuietAfter`: from that stream time on, stop at the first step with no incident
   * left open (the demo replays past its outage until the outage's alerts have resolved).
   */
  replay(
    from: number,
    to: number,
    opts?: {
      stepMs?: number;
      brands?: readonly string[];
      notify?: boolean;
      stopWhenQuietAfter?: number;
      onStep?: (t: number, alerts: Alert[], leader: boolean) => void | Promise<void>;
    },
  ): Promise<Alert[]>;
}

/**
 * The detector: on a node-cron schedule (EARSHOT_DETECT_CRON, every minute by default),
 * tests every brand's rollups for negative surges, complaint surges and viral negative
 * posts, and keeps one alert per incident through its lifecycle.
 */
export function createDetectorService(
  deps: Deps,
  options: { replica?: string; /** Per-brand sensitivity from the brands file. */ sensitivity?: Record<string, Sensitivity> } = {},
): DetectorService {
  const { config, clock, logger, metrics, bus } = deps;
  const { client } = requireStore(deps, 'detector');
  // The detector only stores and publishes alerts; the notifier service (earshot.alerts.v1)
  // delivers them, so no run waits for anyone's webhook.
  const store = new AlertStore(client);
  const care = new CareStore(client);
  const book = new AlertBook();
  const d: DetectorDeps = {
    queries: new DetectorQueries(client),
    ...(config.EARSHOT_STORIES ? { stories: new StoryStore(client) } : {}),
    book,
    store,
    lease: new ClickHouseLease(client, 'detector_leases', options.replica ?? config.EARSHOT_DETECTOR_REPLICA ?? `${hostname()}-${process.pid}`),
    clock,
    bus,
    alertsTopic: topicName(config, alertsTopic.name),
    logger,
    metrics,
    care,
    careBounds: {
      windowHours: config.EARSHOT_CARE_WINDOW_HOURS,
      maxUnanswered: config.EARSHOT_CARE_MAX_UNANSWERED,
      maxReplyMinutes: config.EARSHOT_CARE_MAX_REPLY_MINUTES,
      minConversations: config.EARSHOT_CARE_MIN_CONVERSATIONS,
    },
    sensitivity: options.sensitivity ?? {},
    led: { at: null },
    // With EARSHOT_CARE_HANDOFF=manual, items go only when a person hands them off (the api).
    handoff:
      config.EARSHOT_CARE_WEBHOOK_URL && config.EARSHOT_CARE_HANDOFF === 'auto'
        ? new HelpdeskHandoff(config.EARSHOT_CARE_WEBHOOK_URL, { care, logger, metrics })
        : undefined,
  };
  let task: ReturnType<typeof cron.schedule> | null = null;
  let running: Promise<unknown> | null = null;
  let lastRun: { at: number; ok: boolean; error?: string } | null = null;
  const runOnce = async (now = clock.now(), runBook = book, runOpts: Parameters<typeof runDetectors>[3] = {}) => {
    while (running) await running.catch(() => undefined);
    const run = runDetectors(d, now, runBook, runOpts);
    running = run;
    try {
      const result = await run;
      lastRun = { at: now, ok: true };
      return result;
    } catch (err) {
      lastRun = { at: now, ok: false, error: errorMessage(err) };
      throw err;
    } finally {
      running = null;
    }
  };
  const replay: DetectorService['replay'] = async (from, to, opts = {}) => {
    const replayBook = new AlertBook();
    const out: Alert[] = [];
    for (let t = from; t <= to; t += opts.stepMs ?? 60_000) {
      const { leader, alerts } = await runOnce(t, replayBook, { brands: opts.brands, notify: opts.notify });
      out.push(...alerts);
      await opts.onStep?.(t, alerts, leader);
      if (opts.stopWhenQuietAfter !== undefined && t >= opts.stopWhenQuietAfter && replayBook.openCount === 0) break;
    }
    return out;
  };
  return {
    name: 'detector',
    runOnce: (now) => runOnce(now),
    replay,
    health: [{ name: 'detector.schedule', check: () => ({ ok: lastRun?.ok !== false, detail: lastRun ?? 'no run yet' }) }],
    async start() {
      book.restore(await store.list({ status: 'open', limit: 10_000 }), alertKey);
      // Fresh from the store: the first run need not take the incidents up again (a
      // standby's later first lead will).
      d.led.at = clock.now();
      if (!cron.validate(config.EARSHOT_DETECT_CRON)) throw new Error(`EARSHOT_DETECT_CRON "${config.EARSHOT_DETECT_CRON}" is not a cron expression`);
      task = cron.schedule(config.EARSHOT_DETECT_CRON, () => {
        runOnce().catch((err) => logger.error({ err: errorMessage(err) }, 'detector run failed'));
      });
      logger.info({ cron: config.EARSHOT_DETECT_CRON, replica: d.lease.replica }, 'detector scheduled');
    },
    async stop() {
      await task?.stop();
      await running?.catch(() => undefined);
    },
  };
}
