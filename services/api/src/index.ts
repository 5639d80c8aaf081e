import { requireStore, type Deps, type Service } from '@earshot/shared';
import { createMentionsRouter } from './mentions-route.js';
import { createStatsRouter } from './stats-route.js';
import { createOpenApiRouter } from './openapi.js';
import { createAlertsRouter } from './alerts-route.js';

export { toApiMention } from './mentions-route.js';
export { openApiDocument } from './openapi.js';

/** The query API. /healthz and /metrics come with every process's HTTP server. */
export function createApiService(deps: Deps): Service {
  const { client } = requireStore(deps, 'api');
  return {
    name: 'api',
    routers: [createMentionsRouter({ client }), createStatsRouter({ client, clock: deps.clock }), createAlertsRouter({ client }), createOpenApiRouter()],
    start: async () => undefined,
    stop: async () => undefined,
  };
}
