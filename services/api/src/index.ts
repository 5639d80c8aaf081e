import { CareStore, eventsTopic, requireStore, topicName, type Deps, type Service } from '@earshot/shared';
import { createAuthorsRouter } from './authors-route.js';
import { createCareRouter } from './care-route.js';
import { createMentionsRouter } from './mentions-route.js';
import { createStatsRouter } from './stats-route.js';
import { createOpenApiRouter } from './openapi.js';
import { createAlertsRouter } from './alerts-route.js';
import { EventRepository, createEventsRouter } from './events-route.js';

export { toApiMention } from './mentions-route.js';
export { openApiDocument } from './openapi.js';
export { parseEventsCsv, parseEventsIcs, type ImportResult } from './event-import.js';
export { EventRepository } from './events-route.js';
export { eventImpact } from './event-impact.js';
export { intervalSeconds } from './query-params.js';

/** The query API. /healthz and /metrics come with every process's HTTP server. */
export function createApiService(deps: Deps): Service {
  const { client } = requireStore(deps, 'api');
  const events = new EventRepository({ client, bus: deps.bus, topic: topicName(deps.config, eventsTopic.name) });
  return {
    name: 'api',
    routers: [
      createMentionsRouter({ client }), createStatsRouter({ client, clock: deps.clock }), createAlertsRouter({ client }), createEventsRouter(events, client),
      createCareRouter({ care: new CareStore(client), clock: deps.clock }),
      createAuthorsRouter({ client, clock: deps.clock }),
      createOpenApiRouter(),
    ],
    start: async () => undefined,
    stop: async () => undefined,
  };
}
