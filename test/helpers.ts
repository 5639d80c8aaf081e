import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { createLogger, createMetrics, loadConfig, migrate, openStore, type Config, type Mention, type Store } from '@earshot/shared';
import type { Runtime, RuntimeOptions, ServiceName } from '@earshot/cli';

/** A fresh data directory, removed by the returned cleanup. */
export function tempDir(prefix = 'earshot-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * The real ClickHouse engine (chDB) for one describe block: a migrated store in a fresh
 * directory, opened before its tests, closed and removed after. Read `.store` inside tests.
 */
export function migratedStoreForSuite(): { readonly store: Store; readonly dir: string } {
  const dir = tempDir();
  let store: Store | undefined;
  beforeAll(async () => {
    store = await openStore(testConfig({ EARSHOT_DATA_DIR: dir.path }));
    await migrate(store.client, quietLogger());
  });
  afterAll(async () => {
    await store?.close();
    dir.remove();
  });
  return {
    get store() {
      if (!store) throw new Error('the store opens in beforeAll: read it inside a test');
      return store;
    },
    dir: dir.path,
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    EARSHOT_PORT: '0',
    EARSHOT_HOST: '127.0.0.1',
    EARSHOT_LOG_LEVEL: process.env.EARSHOT_TEST_LOG_LEVEL ?? 'silent',
    EARSHOT_BATCH_WAIT_MS: '10',
    EARSHOT_TOPIC_PARTITIONS: '3',
    // The default tier (adaptive) uses the encoder only where models:build has run: tests read the same labels either way.
    EARSHOT_CLASSIFIER_TIER: 'fast',
    ...overrides,
  });
}

export const quietLogger = () => createLogger(process.env.EARSHOT_TEST_LOG_LEVEL ?? 'silent');
export const freshMetrics = () => createMetrics({ defaultMetrics: false });

/** Runtime options for an embedded Earshot serving HTTP on its loopback port, quiet, with metrics of its own. */
export const overHttp = (services: readonly ServiceName[], more: Partial<RuntimeOptions> = {}): RuntimeOptions => ({
  services,
  http: true,
  logger: quietLogger(),
  metrics: freshMetrics(),
  ...more,
});

/**
 * Posts each batch to POST /v1/mentions as a client would, expects it accepted (202), and
 * drains the runtime before the next: each batch is stored before the next one arrives,
 * which tests that depend on arrival order (the stories' online clustering) rely on. A batch
 * refused fails with the server's answer, so the test says why.
 */
export async function postAndDrain(rt: Pick<Runtime, 'url' | 'drain'>, batches: readonly (readonly unknown[])[]): Promise<void> {
  for (const batch of batches) {
    const res = await fetch(`${rt.url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(batch) });
    const answer = await res.text();
    expect(res.status, `POST /v1/mentions answered ${res.status}: ${answer}`).toBe(202);
    await rt.drain();
  }
}

let seq = 0;
export function mention(overrides: Partial<Mention> = {}): Mention {
  const n = seq++;
  return {
    id: `m-${process.pid}-${n}`,
    source: 'twitter',
    text: n % 2 ? 'I love the new Acme plan, great value!' : 'Acme support is terrible, still no refund',
    created_at: new Date(Date.UTC(2026, 10, 20, 8, n % 60)).toISOString(),
    author: { id: `a${n}`, handle: `user${n}`, followers: 100 + n },
    brands: ['acme'],
    ...overrides,
  };
}

/** Polls until `check` returns a truthy value or the time is up; returns the last value. */
export async function eventually<T>(check: () => Promise<T>, { timeoutMs = 60_000, everyMs = 100 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await check();
  while (!last && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, everyMs));
    last = await check();
  }
  return last;
}

export async function metricValue(registry: import('prom-client').Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  if (!metric) return 0;
  return metric.values.filter((v) => Object.entries(labels).every(([k, val]) => String(v.labels[k]) === val)).reduce((sum, v) => sum + v.value, 0);
}
