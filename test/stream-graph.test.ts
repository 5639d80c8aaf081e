import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, STREAM_CONSUMERS, topicName } from '@earshot/shared';
import { SERVICE_NAMES, startRuntime, type Runtime } from '@earshot/cli';
import { freshMetrics, quietLogger, tempDir, testConfig } from './helpers.js';

/** shared/src/stream-graph.ts is the whole graph: what every service runs, started together, is what it lists. */
describe('the declared stream graph', () => {
  const dir = tempDir();
  const config = testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_TOPIC_PREFIX: 'graph.' });
  let rt: Runtime;
  beforeAll(async () => {
    rt = await startRuntime(config, { services: SERVICE_NAMES, metrics: freshMetrics(), logger: quietLogger() });
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('every running consumer is declared, and every declared consumer runs, in its group on its topic', () => {
    const bus = rt.deps.bus;
    expect(bus).toBeInstanceOf(MemoryBus);
    const running = (bus as MemoryBus)
      .subscriptions()
      .map((s) => `${s.topic} <- ${s.group}`)
      .sort();
    const declared = Object.values(STREAM_CONSUMERS)
      .map((c) => `${topicName(config, c.topic.name)} <- ${topicName(config, c.group)}`)
      .sort();
    expect(running).toEqual(declared);
  });
});
