import { afterAll, beforeAll } from 'vitest';
import {
  ClickHouseStoredMentions,
  DeadLetters,
  MemoryBus,
  deadLetterTopic,
  engagementTopic,
  mentionsRawTopic,
  migrate,
  openStore,
  systemClock,
  type Clock,
  type DeadLetter,
  type EngagementUpdate,
  type RawMentionMessage,
  type Store,
} from '@earshot/shared';
import { ConnectorRunner, Ingestor, createBrandMatcher, loadBrandsFile } from '@earshot/ingest';
import type { RunnerDeps } from '../../services/ingest/src/connectors/runner.js';
import { buildConnectors } from '../../services/ingest/src/connectors/build.js';
import { ClickHouseCheckpoints } from '../../services/ingest/src/connectors/checkpoints.js';
import { freshMetrics, quietLogger, tempDir, testConfig } from '../helpers.js';

/**
 * One harness for a test file or describe block (chDB holds one data directory per
 * process): made before its tests, closed after. The object stands in for it and is
 * usable inside tests and later hooks.
 */
export function harnessForSuite(): ConnectorHarness {
  let real: ConnectorHarness | undefined;
  beforeAll(async () => {
    real = await connectorHarness();
  });
  afterAll(async () => real?.close());
  return new Proxy({} as ConnectorHarness, {
    get(_target, key) {
      if (!real) throw new Error('the connector harness is made in beforeAll: use it inside a test or a later hook');
      return Reflect.get(real, key) as unknown;
    },
  });
}

/**
 * The real pieces a connector runs on: the in-process bus (what lands on the raw,
 * dead-letter and engagement topics is collected), the ingestor, and checkpoints in chDB.
 */
export async function connectorHarness() {
  const dir = tempDir();
  const store: Store = await openStore(testConfig({ EARSHOT_DATA_DIR: dir.path }));
  await migrate(store.client, quietLogger());
  const bus = new MemoryBus({ partitions: 2, capacity: 100_000, logger: quietLogger(), metrics: freshMetrics(), clock: systemClock });
  const landed: RawMentionMessage[] = [];
  const letters: DeadLetter[] = [];
  const refreshed: EngagementUpdate[] = [];
  const collect =
    <T>(into: T[]) =>
    async (ms: { value: Buffer }[]) =>
      void into.push(...ms.map((m) => JSON.parse(m.value.toString()) as T));
  for (const [topic, into] of [
    [mentionsRawTopic.name, landed],
    [deadLetterTopic.name, letters],
    [engagementTopic.name, refreshed],
  ] as const)
    await bus.subscribe({ group: 'test', topic, maxBatch: 1000, maxWaitMs: 1, handler: collect(into as unknown[]) });

  /** A runner over the sources of a brands file, as the ingest service builds it. */
  const runner = (
    yaml: string,
    opts: { env?: Record<string, string>; clock?: Clock; backoffMs?: number; lease?: RunnerDeps['lease']; leaseRenewMs?: number } = {},
  ) => {
    const clock = opts.clock ?? systemClock;
    const metrics = freshMetrics();
    const brands = loadBrandsFile('brands.yaml', yaml, opts.env ?? {});
    const matcher = createBrandMatcher({}, brands.queries);
    const ingestor = new Ingestor({ bus, clock, metrics, matchBrands: matcher, rawTopic: mentionsRawTopic.name });
    const { runnable } = buildConnectors(brands.sources, { env: (n) => opts.env?.[n], clock, retryMs: 1, signal: new AbortController().signal });
    return Object.assign(
      new ConnectorRunner({
        connectors: runnable,
        checkpoints: new ClickHouseCheckpoints(store.client, clock),
        stored: new ClickHouseStoredMentions(store.client),
        ingestor,
        deadLetters: new DeadLetters({ bus, clock, logger: quietLogger(), metrics, topicName: deadLetterTopic.name }),
        bus,
        engagementTopicName: engagementTopic.name,
        clock,
        logger: quietLogger(),
        metrics,
        matches: (m) => matcher(m) !== null,
        backoff: { baseMs: opts.backoffMs ?? 1000, maxMs: opts.backoffMs ?? 1000 },
        random: () => 1,
        lease: opts.lease,
        leaseRenewMs: opts.leaseRenewMs,
      }),
      { metrics },
    );
  };

  return {
    store,
    bus,
    landed,
    letters,
    refreshed,
    runner,
    /** Ids on the raw topic, brand replies left out. */
    ids: () => landed.map((m) => m.id).filter((id) => !id.endsWith(':reply')),
    /** Forgets what has landed so far (raw, dead letters, engagement): a block that reuses the harness starts from nothing. */
    forget() {
      for (const into of [landed, letters, refreshed]) into.length = 0;
    },
    async close() {
      await bus.close();
      await store.close();
      dir.remove();
    },
  };
}
export type ConnectorHarness = Awaited<ReturnType<typeof connectorHarness>>;
