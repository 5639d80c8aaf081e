import type { Router } from 'express';
import type { Bus } from './bus/types.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Store } from './store/client.js';
import type { HealthCheck } from './http/server.js';

/** What every service is built from; the CLI (or a test) builds one and passes it in. */
export interface Deps {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  bus: Bus;
  /** Only for services that read or write ClickHouse. */
  store?: Store;
}

/**
 * A running service. Start order: start(); stop order is the reverse of start, and
 * each stop() stops intake, drains in-flight work, flushes and commits before it resolves.
 */
export interface Service {
  readonly name: string;
  readonly routers?: Router[];
  readonly health?: HealthCheck[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function requireStore(deps: Deps, service: string): Store {
  if (!deps.store) throw new Error(`${service} needs a ClickHouse store`);
  return deps.store;
}
