import type { Clock } from '@earshot/shared';
import type { ConfiguredSource } from '../brands-file.js';
import { HttpClient } from './http.js';
import type { RunnableConnector } from './runner.js';
import type { WebhookConnector } from './types.js';

/** Turns the brands file's sources into connectors, each with its own HTTP client and quota. */
export function buildConnectors(
  sources: ConfiguredSource[],
  deps: { env: (name: string) => string | undefined; clock: Clock; retryMs: number; signal: AbortSignal },
): { runnable: RunnableConnector[]; hooks: { connector: WebhookConnector; brand: string; owned: boolean; http: HttpClient }[] } {
  const runnable: RunnableConnector[] = [];
  const hooks: { connector: WebhookConnector; brand: string; owned: boolean; http: HttpClient }[] = [];
  for (const s of sources) {
    const connector = s.definition.create(s.options, { env: deps.env, brand: { id: s.brand }, connectorId: s.id, members: s.members });
    const http = new HttpClient({ clock: deps.clock, perMinute: s.options.rate_limit_per_minute, backoffMs: deps.retryMs, signal: deps.signal });
    if (connector.kind === 'webhook') {
      // Its HTTP client is for the lookups a delivery may need (Instagram @mentions arrive as ids).
      hooks.push({ connector, brand: s.brand, owned: s.owned, http });
      continue;
    }
    runnable.push({
      id: s.id,
      type: s.definition.type,
      brand: s.brand,
      connector,
      http,
      schedule: s.schedule,
      refresh: s.refresh,
      owned: s.owned,
      sweep: s.definition.sweep?.(s.options) ?? null,
      ...(s.options.monthly_read_budget ? { monthlyReadBudget: s.options.monthly_read_budget } : {}),
    });
  }
  return { runnable, hooks };
}
