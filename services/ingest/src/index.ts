import { hostname } from 'node:os';
import {
  ClickHouseLease,
  ClickHouseStoredMentions,
  createDeadLetters,
  engagementTopic,
  mentionsRawTopic,
  requireStore,
  topicName,
  type DeadLetters,
  type Deps,
  type Service,
} from '@earshot/shared';
import { createAccountMatcher, createBrandMatcher, type BrandMatcher } from './brand-matcher.js';
import { EMPTY_BRANDS_FILE, readBrandsFile, type BrandsFile } from './brands-file.js';
import { buildConnectors } from './connectors/build.js';
import { ClickHouseCheckpoints } from './connectors/checkpoints.js';
import { ConnectorRunner } from './connectors/runner.js';
import { createHooksRouter } from './hooks.js';
import { Ingestor } from './ingestor.js';
import { createWebhookRouter } from './webhook.js';
import { configuredBrandIds } from './csv-mapping.js';

export { createAccountMatcher, createBrandMatcher } from './brand-matcher.js';
export { parseBrandQuery, BrandQueryError } from './brand-query.js';
export { loadBrandsFile, readBrandsFile, BrandsFileError, type BrandsFile } from './brands-file.js';
export { ConnectorRunner, type PollOutcome } from './connectors/runner.js';
export { buildConnectors } from './connectors/build.js';
export { SOURCES } from './connectors/sources/index.js';
export { Ingestor } from './ingestor.js';
export { parseMentionsBody, BodyError } from './parse-body.js';
export { replayFile, type ReplayProgress, type ReplayResult } from './replay.js';
export { csvMentions } from './csv-mentions.js';
export { csvImport, parseColumnMap, parseTimestamp, checkTimeZone, configuredBrandIds, CsvMappingError, type CsvImportOptions } from './csv-mapping.js';
export { RejectionTally, type RejectionGroup } from './rejection-tally.js';

export interface IngestOptions {
  /** Where secrets named by the brands file are read; the process environment by default. */
  env?: Record<string, string | undefined>;
  /** The brands file already loaded (the runtime shares it with the detector); read from EARSHOT_BRANDS_FILE otherwise. */
  brands?: BrandsFile;
}

function brandsFileOf(deps: Deps, env: Record<string, string | undefined>): BrandsFile {
  const path = deps.config.EARSHOT_BRANDS_FILE;
  if (!path) return EMPTY_BRANDS_FILE;
  return readBrandsFile(path, env);
}

/** Builds the pieces ingest is made of; replay, the webhooks and the connectors share them. */
export function createIngestor(
  deps: Deps,
  options: IngestOptions = {},
): { ingestor: Ingestor; deadLetters: DeadLetters; brands: BrandsFile; matchBrands: BrandMatcher } {
  const { config, bus, clock, metrics } = deps;
  const brands = options.brands ?? brandsFileOf(deps, options.env ?? process.env);
  const matchBrands = createBrandMatcher(config.EARSHOT_BRANDS, brands.queries);
  const ingestor = new Ingestor({
    bus,
    clock,
    metrics,
    matchBrands,
    brandAccounts: createAccountMatcher(brands.accounts),
    rawTopic: topicName(config, mentionsRawTopic.name),
    maxFutureSeconds: config.EARSHOT_MAX_FUTURE_SECONDS,
  });
  return { ingestor, deadLetters: createDeadLetters(deps), brands, matchBrands };
}

/**
 * The ingest service: POST /v1/mentions, the authenticated hooks (POST /v1/hooks/:name),
 * and the connectors of the brands file on their schedules and streams.
 */
export function createIngestService(
  deps: Deps,
  options: IngestOptions = {},
): Service & { ingestor: Ingestor; deadLetters: DeadLetters; connectors: ConnectorRunner | null } {
  const { config, clock, logger, metrics, bus } = deps;
  const env = options.env ?? process.env;
  const { ingestor, deadLetters, brands, matchBrands } = createIngestor(deps, { env, brands: options.brands });
  const abort = new AbortController();
  const { runnable, hooks } = buildConnectors(brands.sources, { env: (n) => env[n], clock, retryMs: config.EARSHOT_CONNECTOR_RETRY_MS, signal: abort.signal });
  let connectors: ConnectorRunner | null = null;
  if (runnable.length) {
    const store = requireStore(deps, 'ingest with connectors');
    connectors = new ConnectorRunner({
      connectors: runnable,
      checkpoints: new ClickHouseCheckpoints(store.client, clock),
      stored: new ClickHouseStoredMentions(store.client),
      ingestor,
      deadLetters,
      bus,
      engagementTopicName: topicName(config, engagementTopic.name),
      clock,
      logger,
      metrics,
      matches: (m) => matchBrands(m) !== null,
      // One process owns its embedded store; replicas sharing a ClickHouse server elect a leader.
      lease:
        store.kind === 'server'
          ? new ClickHouseLease(store.client, 'ingest_leases', config.EARSHOT_INGEST_REPLICA ?? `${hostname()}-${process.pid}`)
          : undefined,
      backoff: { baseMs: config.EARSHOT_CONNECTOR_BACKOFF_MS, maxMs: config.EARSHOT_CONNECTOR_BACKOFF_MAX_MS },
    });
  }
  return {
    name: 'ingest',
    ingestor,
    deadLetters,
    connectors,
    routers: [
      createWebhookRouter({
        ingestor,
        metrics,
        maxBodyBytes: config.EARSHOT_MAX_BODY_BYTES,
        brandIds: configuredBrandIds(config.EARSHOT_BRANDS, brands.accounts),
      }),
      createHooksRouter({ hooks, ingestor, metrics, clock, maxBodyBytes: config.EARSHOT_MAX_BODY_BYTES, deadLetters }),
    ],
    health: connectors ? [connectors.health()] : [],
    start: async () => connectors?.start(),
    stop: async () => {
      abort.abort();
      await connectors?.stop();
    },
  };
}
