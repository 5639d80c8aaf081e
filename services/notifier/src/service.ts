import { readFileSync } from 'node:fs';
import {
  NotificationOutbox,
  STREAM_CONSUMERS,
  consumerHealth,
  createDeadLetters,
  defineConsumer,
  errorMessage,
  forAll,
  requireStore,
  runConsumer,
  type Alert,
  type Config,
  type Deps,
  type Service,
  type Subscription,
} from '@earshot/shared';
import { AlertDispatcher } from './alert-dispatcher.js';
import { buildChannels } from './channels.js';
import { buildDigestChannels } from './digest-channels.js';
import { DigestScheduler } from './digest-scheduler.js';
import { AlertRouter } from './route-alert.js';
import { DEFAULT_DIGEST_SCHEDULE, parseRoutesFile, type RoutesFile } from './routes-file.js';

/**
 * The routes the notifier applies: the routes file's (EARSHOT_ROUTES_FILE), plus, for the
 * single webhook and Slack URLs configured before routes existed, a route sending them
 * every alert version.
 */
export function configuredRoutes(config: Config, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): RoutesFile {
  const file: RoutesFile = config.EARSHOT_ROUTES_FILE
    ? parseRoutesFile(config.EARSHOT_ROUTES_FILE, readFile(config.EARSHOT_ROUTES_FILE))
    : { timezone: 'UTC', digests: DEFAULT_DIGEST_SCHEDULE, channels: {}, routes: [] };
  const legacy: RoutesFile['channels'] = {
    ...(config.EARSHOT_ALERT_WEBHOOK_URL ? { webhook: { type: 'webhook' as const, url: config.EARSHOT_ALERT_WEBHOOK_URL } } : {}),
    ...(config.EARSHOT_ALERT_SLACK_WEBHOOK_URL ? { slack: { type: 'slack' as const, url: config.EARSHOT_ALERT_SLACK_WEBHOOK_URL } } : {}),
  };
  const names = Object.keys(legacy).filter((n) => !file.channels[n]);
  if (!names.length) return file;
  return {
    ...file,
    channels: { ...file.channels, ...Object.fromEntries(names.map((n) => [n, legacy[n]!])) },
    routes: [...file.routes, { name: 'environment', match: {}, below_floor: 'drop', channels: names }],
  };
}

/**
 * The notifier service: consumes `earshot.alerts.v1` (group earshot-notifier), routes each
 * alert version and delivers it to its channels with retries and back-off, through the
 * persistent outbox (once per version and channel, across restarts and redeliveries).
 * What still fails is tried again every `retryEveryMs`. Versions a backfill raised
 * (`replayed`) and versions older than EARSHOT_NOTIFY_MAX_AGE_MINUTES (a backlog) are left
 * to the digest; versions inside an incident that already paged a channel (`quiet`) do not
 * go to that channel again (AlertDispatcher). On the routes file's schedule it also sends the daily and weekly digests
 * (DigestScheduler).
 */
export function createNotifierService(
  deps: Deps,
  opts: { routes?: RoutesFile; fetchImpl?: typeof fetch; retryEveryMs?: number; retryBaseMs?: number } = {},
): Service & {
  dispatcher: AlertDispatcher;
  digests: DigestScheduler;
} {
  const { config, bus, clock, metrics, logger } = deps;
  const { client } = requireStore(deps, 'notifier');
  const routes = opts.routes ?? configuredRoutes(config);
  const outbox = new NotificationOutbox(client);
  const dispatcher = new AlertDispatcher(new AlertRouter(routes), buildChannels(routes, { config, client, fetchImpl: opts.fetchImpl }), {
    logger,
    metrics,
    outbox,
    now: () => clock.now(),
    retryBaseMs: opts.retryBaseMs,
  });
  const digests = new DigestScheduler(routes, buildDigestChannels(routes, { config, fetchImpl: opts.fetchImpl }), {
    client,
    logger,
    metrics,
    now: () => clock.now(),
    retryBaseMs: opts.retryBaseMs,
  });
  const deadLetters = createDeadLetters(deps);
  const maxAgeMs = config.EARSHOT_NOTIFY_MAX_AGE_MINUTES * 60_000;
  const consumer = defineConsumer(STREAM_CONSUMERS.notifier, [
    forAll(async (alerts: Alert[]) => {
      const now = clock.now();
      const replayed = alerts.filter((a) => a.replayed).length;
      // The age bound stays for a backlog: a notifier down for hours, or a new one reading the topic from its start.
      const stale = alerts.filter((a) => !a.replayed && now - Date.parse(a.updated_at) > maxAgeMs).length;
      const fresh = alerts.filter((a) => !a.replayed && now - Date.parse(a.updated_at) <= maxAgeMs);
      if (replayed || stale)
        logger.info({ replayed, stale }, 'alert versions a backfill raised, or older than EARSHOT_NOTIFY_MAX_AGE_MINUTES, left to the digest');
      await dispatcher.dispatch(fresh);
    }),
  ]);
  let subscription: Subscription | null = null;
  let timer: NodeJS.Timeout | undefined;
  let retrying: Promise<void> | null = null;
  return {
    name: 'notifier',
    dispatcher,
    digests,
    health: [{ name: 'notifier.consumer', check: () => consumerHealth(subscription, clock.now(), config.EARSHOT_STALL_SECONDS) }],
    async start() {
      // Deliveries a previous process could not finish go out first.
      await dispatcher.restore();
      subscription = await runConsumer(consumer, { bus, config, clock, metrics, deadLetters, logger });
      const retry = () =>
        Promise.all([dispatcher.retry(), digests.retry()]).then(
          () => undefined,
          (err) => logger.warn({ err: errorMessage(err) }, 'notification retry failed'),
        );
      timer = setInterval(() => {
        retrying ??= retry().finally(() => (retrying = null));
      }, opts.retryEveryMs ?? 30_000);
      timer.unref();
      void retry();
      digests.start();
      logger.info({ routes: routes.routes.map((r) => r.name), channels: Object.keys(routes.channels) }, 'notifier consuming alerts');
    },
    async stop() {
      clearInterval(timer);
      await digests.stop();
      await subscription?.stop();
      await retrying;
    },
  };
}
