import { join } from 'node:path';
import type { Server } from 'node:http';
import {
  KafkaBus,
  MemoryBus,
  apiKeysFor,
  assertSafeBind,
  fileAudit,
  rateLimitExpensive,
  requireApiKeys,
  allTopics,
  applyRetention,
  closeServer,
  createApp,
  createBus,
  createLogger,
  createMetrics,
  listen,
  migrate,
  openStore,
  systemClock,
  topicName,
  type Clock,
  type Config,
  type DeadLetters,
  type Deps,
  type Logger,
  type Metrics,
  type Service,
} from '@earshot/shared';
import { createIngestService, readBrandsFile, type BrandsFile, type ConnectorRunner, type Ingestor } from '@earshot/ingest';
import { createClassifier, createClassifierService, type MentionClassifier } from '@earshot/classifier';
import { createWriterService, type StoredListener } from '@earshot/writer';
import { createApiService } from '@earshot/api';
import { createDetectorService, type DetectorService } from '@earshot/detector';
import { createNotifierService } from '@earshot/notifier';

export const SERVICE_NAMES = ['ingest', 'classifier', 'writer', 'detector', 'notifier', 'api'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Downstream first, so nothing is published before its consumer is there; stopped in reverse. */
const START_ORDER: ServiceName[] = ['writer', 'classifier', 'notifier', 'detector', 'api', 'ingest'];

export interface RuntimeOptions {
  services: readonly ServiceName[];
  /** Serve HTTP (routers of the services, /healthz, /metrics). */
  http?: boolean;
  /** Open the store even when no service named needs it (commands that read ClickHouse). */
  store?: boolean;
  logger?: Logger;
  metrics?: Metrics;
  clock?: Clock;
  classifier?: MentionClassifier;
  onStored?: StoredListener;
  /** Detector: a replica id. */
  detector?: { replica?: string };
  /** Notifier: how often failed deliveries are tried again, and their first back-off. */
  notifier?: { retryEveryMs?: number; retryBaseMs?: number };
}

export interface Runtime {
  deps: Deps;
  services: Service[];
  /** Present when ingest runs in this process. */
  ingest?: { ingestor: Ingestor; deadLetters: DeadLetters; connectors: ConnectorRunner | null };
  /** Present when the detector runs in this process. */
  detector?: DetectorService;
  /** The brands file, when one is configured and a service here reads it. */
  brands?: BrandsFile;
  server?: Server;
  /** Base URL of the HTTP server, when there is one. */
  url?: string;
  /** Waits until the in-process bus has nothing left to deliver (no-op on Kafka). */
  drain(timeoutMs?: number): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * The brands file, read once for the services that use it: ingest (queries, accounts,
 * sources) and the detector (per-brand sensitivity). A detector without ingest in its
 * process does not need the connectors' secrets.
 */
function brandsFileFor(config: Config, services: readonly ServiceName[]): BrandsFile | undefined {
  const path = config.EARSHOT_BRANDS_FILE;
  if (!path || !services.some((s) => s === 'ingest' || s === 'detector')) return undefined;
  return readBrandsFile(path, process.env, { checkSecrets: services.includes('ingest') });
}

/**
 * The composition root: builds the shared dependencies once, the named services on
 * top, starts them, and returns one handle that stops everything in order: HTTP intake,
 * then in-flight work (the in-process bus is drained first), then consumers, bus, store.
 */
export async function startRuntime(config: Config, options: RuntimeOptions): Promise<Runtime> {
  const logger = options.logger ?? createLogger(config.EARSHOT_LOG_LEVEL);
  const metrics = options.metrics ?? createMetrics();
  const clock = options.clock ?? systemClock;
  // Inputs first: a wrong brands file stops the start before the bus or the store is touched.
  const brands = brandsFileFor(config, options.services);
  const bus = createBus(config, { logger, metrics, clock });
  const cleanups: (() => Promise<void>)[] = [() => bus.close()];
  try {
    await bus.ensureTopics(allTopics.map((t) => topicName(config, t.name)));
    // Ingest keeps connector checkpoints in the store when a brands file can name sources.
    const needsStore =
      options.store ||
      options.services.some(
        (s) => s === 'writer' || s === 'api' || s === 'detector' || s === 'notifier' || (s === 'ingest' && Boolean(config.EARSHOT_BRANDS_FILE)),
      );
    const store = needsStore ? await openStore(config) : undefined;
    if (store) {
      cleanups.unshift(() => store.close());
      const { applied } = await migrate(store.client, logger, { cluster: config.EARSHOT_CLICKHOUSE_CLUSTER });
      if (applied.length) logger.info({ applied, store: store.kind }, 'migrations applied');
      await applyRetention(store.client, logger, { rawDays: config.EARSHOT_RETENTION_DAYS, hourlyDays: config.EARSHOT_ROLLUP_RETENTION_DAYS });
    }
    const deps: Deps = { config, logger, metrics, clock, bus, store };
    let ingest: Runtime['ingest'];
    let detector: DetectorService | undefined;
    const services: Service[] = [];
    for (const name of START_ORDER.filter((n) => options.services.includes(n))) {
      let service: Service;
      if (name === 'ingest') {
        const built = createIngestService(deps, { brands });
        ingest = { ingestor: built.ingestor, deadLetters: built.deadLetters, connectors: built.connectors };
        service = built;
      } else if (name === 'classifier') {
        const classifier = options.classifier ?? (await createClassifier(config));
        // One the runtime made is the runtime's to close (a thread, model sessions).
        if (!options.classifier) cleanups.unshift(() => classifier.close());
        service = createClassifierService(deps, classifier);
      } else if (name === 'writer') service = createWriterService(deps, { onStored: options.onStored });
      else if (name === 'notifier') service = createNotifierService(deps, options.notifier);
      else if (name === 'detector') service = detector = createDetectorService(deps, { sensitivity: brands?.sensitivity, ...options.detector });
      else service = createApiService(deps, { detector, brands: Object.keys(brands?.queries ?? {}) });
      await service.start();
      services.push(service);
    }
    let server: Server | undefined;
    let url: string | undefined;
    if (options.http) {
      const keys = apiKeysFor(config);
      assertSafeBind(config.EARSHOT_HOST, keys);
      const app = createApp({
        guards: [
          requireApiKeys({ keys, openPaths: config.EARSHOT_OPEN_PATHS, audit: fileAudit(join(config.EARSHOT_DATA_DIR, 'audit.log')), now: () => clock.now() }),
          // Wall time, not the runtime's clock: a replay's clock must not refill or drain the buckets.
          rateLimitExpensive({
            perMinute: config.EARSHOT_RATE_LIMIT_PER_MINUTE,
            now: () => Date.now(),
            onLimited: (caller) => metrics.rateLimited.inc({ caller }),
          }),
        ],
        routers: services.flatMap((s) => s.routers ?? []),
        health: [...(bus instanceof MemoryBus || bus instanceof KafkaBus ? [bus.health()] : []), ...services.flatMap((s) => s.health ?? [])],
        registry: metrics.registry,
        logger,
      });
      server = await listen(app, config.EARSHOT_HOST, config.EARSHOT_PORT);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : config.EARSHOT_PORT;
      const host = config.EARSHOT_HOST === '0.0.0.0' || config.EARSHOT_HOST === '::' ? 'localhost' : config.EARSHOT_HOST;
      url = `http://${host}:${port}`;
    }
    const drain = async (timeoutMs = 60_000) => (bus instanceof MemoryBus ? bus.whenIdle(timeoutMs) : true);
    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        if (server) await closeServer(server);
        if (bus instanceof MemoryBus && !(await bus.whenIdle(30_000))) logger.warn('in-process bus not drained after 30s; stopping anyway');
        for (const s of [...services].reverse()) await s.stop();
        for (const c of cleanups) await c();
      })());
    return { deps, services, ingest, detector, brands, server, url, drain, stop };
  } catch (err) {
    for (const c of cleanups) await c().catch(() => undefined);
    throw err;
  }
}
