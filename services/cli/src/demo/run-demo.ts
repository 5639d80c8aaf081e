import { eventsTopic, publishTo, sleep, type Clock, type Config } from '@earshot/shared';
import type { Runtime } from '../runtime.js';
import { generateDemoScenario, type DemoScenario } from './scenario.js';

export interface DemoProgress {
  sent: number;
  total: number;
  eventTime: Date;
}

/**
 * Replays the demo scenario through ingest in event-time order, compressing its days
 * into `seconds` of wall time (0 = as fast as possible), then waits until it is stored.
 */
export async function runDemo(
  runtime: Runtime,
  config: Config,
  opts: { clock: Clock; seconds: number; onProgress?: (p: DemoProgress) => void; signal?: AbortSignal },
): Promise<DemoScenario> {
  if (!runtime.ingest) throw new Error('the demo needs the ingest service in this process');
  const scenario = generateDemoScenario({ seed: config.EARSHOT_DEMO_SEED, end: new Date(opts.clock.now()) });
  await publishTo(runtime.deps.bus, config, eventsTopic, scenario.events);
  const span = scenario.end.getTime() - scenario.start.getTime();
  const wallStart = Date.now();
  const slice = 200;
  for (let i = 0; i < scenario.mentions.length && !opts.signal?.aborted; i += slice) {
    const chunk = scenario.mentions.slice(i, i + slice);
    if (opts.seconds > 0) {
      const due = ((Date.parse(chunk[0]!.created_at) - scenario.start.getTime()) / span) * opts.seconds * 1000;
      const wait = due - (Date.now() - wallStart);
      if (wait > 0) await sleep(wait, opts.signal);
    }
    const items = chunk.map((value, j) => ({ index: i + j, value }));
    const result = await runtime.ingest.ingestor.ingest(items, 'demo');
    if (result.rejected.length) throw new Error(`demo mention rejected: ${result.rejected[0]!.reason}`);
    opts.onProgress?.({ sent: i + chunk.length, total: scenario.mentions.length, eventTime: new Date(chunk[chunk.length - 1]!.created_at) });
  }
  await runtime.drain(120_000);
  return scenario;
}
