import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@earshot/shared';
import { DEMO_BRANDS_ENV, generateDemoScenario, startRuntime, type Runtime } from '@earshot/cli';
import { freshMetrics, quietLogger, tempDir, testConfig } from './helpers.js';

const MIN = 60_000;

/** The same brands and daily rhythm without the story: three days of ordinary traffic raise no alert. */
describe('detection on a quiet control scenario', () => {
  const dir = tempDir();
  const clock = new ManualClock(0);
  const scenario = generateDemoScenario({ seed: 7, end: new Date('2026-11-23T16:00:00Z'), story: false });
  let rt: Runtime;
  const raised: string[] = [];

  beforeAll(async () => {
    rt = await startRuntime(testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_BRANDS: DEMO_BRANDS_ENV, EARSHOT_DETECT_CRON: '0 0 1 1 *' }), {
      services: ['ingest', 'classifier', 'writer', 'detector'],
      metrics: freshMetrics(),
      clock,
      logger: quietLogger(),
      detector: { replica: 'control' },
    });
    let sent = 0;
    // Every 15 minutes of stream time over the last two days, after a first day of history.
    for (let t = scenario.start.getTime() + 1440 * MIN; t <= scenario.end.getTime(); t += 15 * MIN) {
      const batch = scenario.mentions.slice(sent).filter((m) => Date.parse(m.created_at) < t);
      sent += batch.length;
      if (batch.length)
        await rt.ingest!.ingestor.ingest(
          batch.map((value, index) => ({ index, value })),
          'test',
        );
      await rt.drain();
      clock.set(t);
      for (const a of (await rt.detector!.runOnce(t)).alerts) raised.push(`${a.kind}:${a.brand} ${a.summary}`);
    }
  }, 600_000);
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('raises none', () => {
    expect(scenario.events).toEqual([]);
    expect(raised).toEqual([]);
  });
});
