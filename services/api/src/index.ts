import { CareStore, HelpdeskHandoff, MentionRollups, StoryStore, eventsTopic, requireStore, topicName, type Deps, type Service } from '@earshot/shared';
import { createConsoleRouter } from './console-route.js';
import { createAuthorsRouter } from './authors-route.js';
import { createCareRouter } from './care-route.js';
import { createMentionsRouter } from './mentions-route.js';
import { createExportRouter } from './export-route.js';
import { createDigestRouter } from './digest-route.js';
import { createStatsRouter } from './stats-route.js';
import { createVolumeRouter } from './volume-route.js';
import { createStoriesRouter } from './stories-routes.js';
import { createOpenApiRouter } from './openapi.js';
import { createAlertsRouter } from './alerts-route.js';
import { createDeadLettersRouter } from './dead-letters-route.js';
import { EventRepository, createEventsRouter } from './events-route.js';
import { createDetectionRouter, type DetectionReplayer } from './detection-route.js';

export { toApiMention } from './mentions-route.js';
export { openApiDocument } from './openapi.js';
export { parseEventsCsv, parseEventsIcs, type ImportResult } from './event-import.js';
export { EventRepository } from './events-route.js';
export { eventImpact } from './event-impact.js';
export { buildDigest, DIGEST_PERIODS, type Digest, type DigestPeriod } from './digest.js';
export { digestHtml, digestText, escapeHtml, kindLabel } from './digest-html.js';
export { intervalSeconds } from './query-params.js';
export { BackfillBodySchema, type BackfillJob, type DetectionReplayer } from './detection-route.js';

/**
 * The query API and the web console. /healthz and /metrics come with every process's HTTP server.
 * `detector`: the detector running in this process, for backfills over past data; `brands`:
 * the brands file's brands, listed even before anything is stored for them.
 */
export function createApiService(
  deps: Deps,
  opts: { detector?: DetectionReplayer; /** Brand ids of the brands file. */ brands?: readonly string[] } = {},
): Service {
  const { client } = requireStore(deps, 'api');
  const { clock, config } = deps;
  const events = new EventRepository({ client, bus: deps.bus, topic: topicName(config, eventsTopic.name) });
  const care = new CareStore(client);
  const rollups = new MentionRollups(client);
  const handoff = config.EARSHOT_CARE_WEBHOOK_URL
    ? new HelpdeskHandoff(config.EARSHOT_CARE_WEBHOOK_URL, { care, logger: deps.logger, metrics: deps.metrics })
    : undefined;
  return {
    name: 'api',
    routers: [
      createConsoleRouter(),
      createMentionsRouter({ client }),
      createExportRouter({ client, logger: deps.logger }),
      createDigestRouter({ client, clock }),
      createStatsRouter({ rollups, clock }),
      createVolumeRouter({ rollups, clock, configured: [...new Set([...Object.keys(config.EARSHOT_BRANDS), ...(opts.brands ?? [])])] }),
      createAlertsRouter({ client, clock }),
      createStoriesRouter({ stories: new StoryStore(client), clock }),
      createDeadLettersRouter({ client, clock }),
      createEventsRouter(events, client),
      createCareRouter({ care, clock, handoff }),
      createAuthorsRouter({ client, clock, bus: deps.bus }),
      createDetectionRouter({ detector: opts.detector, clock, logger: deps.logger }),
      createOpenApiRouter(),
    ],
    start: async () => undefined,
    stop: async () => undefined,
  };
}
