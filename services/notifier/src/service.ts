import { readFileSync } from 'node:fs';
import {
  NotificationOutbox,
  STREAM_CONSUMERS,
  consumerHealth,
  createDeadLetters,
  defineConsumer,
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
import { AlertRouter } from './route-alert.js';
import { parseRoutesFile, type RoutesFile } from './routes-file.js';

/**
 * The routes the notifier applies: the routes file's (EARSHOT_ROUTES_FILE), plus, for the
 * single webhook and Slack URLs configured before routes existed, a route sending them
 * every alert version.
 */
export function configuredRoutes(config: Config, readFile: (path: string) => string = (p) => readFileSync(p, 'utf8')): RoutesFile {
  const file: RoutesFile = config.EARSHOT_ROUTES_FILE
    ? parseRoutesFile(config.EARSHOT_ROUTES_FILE, readFile(config.EARSHOT_ROUTES_FILE))
    : { timezone: 'UTC', channels: {}, routes: [] };
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
 * What still fails is tried again every `retryEveryMs`. Versions older than
 * EARSHOT_NOTIFY_MAX_AGE_MINUTES (a backfill's history) are left to the digest.
 */
export function createNotifierService(
  deps: Deps,
  opts: { routes?: RoutesFile; fetchImpl?: typeof fetch; retryEveryMs?: number; retryBaseMs?: number } = {},
): Service & {
  dispatcher: AlertDispatcher;
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
  const deadLetters = createDeadLetters(deps);
  const maxAgeMs = config.EARSHOT_NOTIFY_MAX_AGE_MINUTES * 60_000;
  const consumer = defineConsumer(STREAM_CONSUMERS.notifier, [
    forAll(async (alerts: Alert[]) => {
      const now = clock.now();
      const fresh = alerts.filter((a) => now - Date.parse(a.updated_at) <= maxAgeMs);
      if (fresh.length < alerts.length)
        logger.info({ skipped: alerts.length - fresh.length }, 'alert versions older than EARSHOT_NOTIFY_MAX_AGE_MINUTES left to the digest');
      await dispatcher.dispatch(fresh);
    }),
  ]);
  let subscription: Subscription | null = null;
  let timer: NodeJS.Timeout | undefined;
  let retrying: Promise<void> | null = null;
  return {
    name: 'notifier',
    dispatcher,
    health: [{ name: 'notifier.consumer', check: () => consumerHealth(subscription, clock.now(), config.EARSHOT_STALL_SECONDS) }],
    async start() {
      // Deliveries a previous process could not finish go out first.
      await dispatcher.restore();
      subscription = await runConsumer(consumer, { bus, config, clock, metrics, deadLetters, logger });
      timer = setInterval(() => {
        retrying ??= dispatcher.retry().finally(() => (retrying = null));
      }, opts.retryEveryMs ?? 30_000);
      timer.unref();
      void dispatcher.retry();
      logger.info({ routes: routes.routes.map((r) => r.name), channels: Object.keys(routes.channels) }, 'notifier consuming alerts');
    },
    async stop() {
      clearInterval(timer);
      await subscription?.stop();
      await retrying;
    },
  };
}
