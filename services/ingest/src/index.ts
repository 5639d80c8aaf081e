import { createDeadLetters, type DeadLetters, mentionsRawTopic, topicName, type Deps, type Service } from '@earshot/shared';
import { readFileSync } from 'node:fs';
import { createBrandMatcher, loadBrandQueries } from './brand-matcher.js';
import { Ingestor } from './ingestor.js';
import { createWebhookRouter } from './webhook.js';

export { createBrandMatcher, loadBrandQueries } from './brand-matcher.js';
export { parseBrandQuery, BrandQueryError } from './brand-query.js';
export { Ingestor } from './ingestor.js';
export { parseMentionsBody, BodyError } from './parse-body.js';
export { replayFile, type ReplayProgress } from './replay.js';

/** Builds the pieces ingest is made of; replay and the webhook share them. */
export function createIngestor(deps: Deps): { ingestor: Ingestor; deadLetters: DeadLetters } {
  const { config, bus, clock, metrics, logger } = deps;
  const ingestor = new Ingestor({
    bus,
    clock,
    metrics,
    matchBrands: createBrandMatcher(
      config.EARSHOT_BRANDS,
      config.EARSHOT_BRANDS_FILE ? loadBrandQueries(config.EARSHOT_BRANDS_FILE, (p) => readFileSync(p, 'utf8')) : {},
    ),
    rawTopic: topicName(config, mentionsRawTopic.name),
  });
  const deadLetters = createDeadLetters(deps);
  return { ingestor, deadLetters };
}

/** The ingest service: the HTTP webhook. Connectors plug in here later. */
export function createIngestService(deps: Deps): Service & { ingestor: Ingestor; deadLetters: DeadLetters } {
  const { ingestor, deadLetters } = createIngestor(deps);
  return {
    name: 'ingest',
    ingestor,
    deadLetters,
    routers: [createWebhookRouter({ ingestor, metrics: deps.metrics, maxBodyBytes: deps.config.EARSHOT_MAX_BODY_BYTES })],
    start: async () => undefined,
    stop: async () => undefined,
  };
}
