import { CareStore, HelpdeskHandoff, MentionRollups, eventsTopic, requireStore, topicName, type Deps, type Service } from '@earshot/shared';
import { createConsoleRouter } from './console-route.js';
import { createAuthorsRouter } from './authors-route.js';
import { createCareRouter } from './care-route.js';
import { createMentionsRouter } from './mentions-route.js';
import { createStatsRouter } from './stats-route.js';
import { createVolumeRouter } from './volume-route.js';
import { createOpenApiRouter } from './openapi.js';
import { createAlertsRouter } from './alerts-route.js';
import { EventRepository, createEventsRouter } from './events-route.js';

export { toApiMention } from './mentions-route.js';
export { openApiDocument } from './openapi.js';
export { parseEventsCsv, parseEventsIcs, type ImportResult } from './event-import.js';
export { EventRepository } from './events-route.js';
export { eventImpact } from './event-impact.js';
export { intervalSeconds } from './query-params.js';

/** The query API and the web console. /healthz and /metrics come with every process's HTTP server. */
export function createApiService(deps: Deps): Service {
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
      createStatsRouter({ rollups, clock }),
      createVolumeRouter({ rollups, clock }),
      createAlertsRouter({ client, clock }),
      createEventsRouter(events, client),
      createCareRouter({ care, clock, handoff }),
      createAuthorsRouter({ client, clock }),
      createOpenApiRouter(),
    ],
    start: async () => undefined,
    stop: async () => undefined,
  };
}
