import { systemClock, type Config } from '@earshot/shared';
import { SERVICE_NAMES, startRuntime, type ServiceName } from '../runtime.js';
import { runDemo } from '../demo/run-demo.js';
import { demoSummary } from '../demo/summary.js';
import { DEMO_BRANDS_ENV } from '../demo/scenario.js';
import { loadConfigOrExit } from '../config.js';
import { createProgress, fmt } from '../progress.js';
import { onShutdown } from '../shutdown.js';
import { alertLines } from '../alert-lines.js';

/** `earshot run [service…] [--demo]`: the named services (all when none) in this process. */
/** At most this far past the demo outage's end is detection replayed, waiting for its alerts to resolve. */
const DEMO_REPLAY_PAST_OUTAGE_MS = 4 * 3_600_000;

export async function runCommand(services: ServiceName[], opts: { demo: boolean }): Promise<void> {
  const env = { ...process.env };
  // The demo's mentions carry no brands: match them with the demo's keywords unless configured.
  if (opts.demo && !env.EARSHOT_BRANDS) env.EARSHOT_BRANDS = DEMO_BRANDS_ENV;
  // The demo tells its story on stdout; logs (stderr) keep to warnings unless asked.
  if (opts.demo && !env.EARSHOT_LOG_LEVEL) env.EARSHOT_LOG_LEVEL = 'warn';
  const say = (text: string) => process.stdout.write(text);
  const config: Config = loadConfigOrExit(env);
  const names = services.length ? services : ([...SERVICE_NAMES] as ServiceName[]);
  if (opts.demo && !names.includes('ingest')) throw new Error('--demo needs the ingest service in this process');
  let stored = 0;
  const runtime = await startRuntime(config, { services: names, http: true, onStored: (m) => (stored += m.length) });
  const abort = new AbortController();
  onShutdown(runtime.deps.logger, async () => {
    abort.abort();
    await runtime.stop();
  });
  const mode = `${runtime.deps.bus.kind === 'kafka' ? `Kafka ${config.EARSHOT_KAFKA_BROKERS!.join(',')}` : 'in-process bus'}, ${
    runtime.deps.store?.where ?? 'no store'
  }`;
  if (names.includes('api')) process.stderr.write(`Earshot console: ${runtime.url}/\n`);
  process.stderr.write(`Earshot running ${names.join(', ')} (${mode}) on ${runtime.url}\n`);
  if (!opts.demo) return;

  const progress = createProgress(process.stdout);
  say(`Demo: replaying 3 days of mentions for acme, globex and initech in ~${config.EARSHOT_DEMO_SECONDS}s (EARSHOT_DEMO_SECONDS)\n`);
  const scenario = await runDemo(runtime, config, {
    clock: systemClock,
    seconds: config.EARSHOT_DEMO_SECONDS,
    signal: abort.signal,
    onProgress: (p) =>
      progress.update(
        `  stream time ${p.eventTime.toISOString().slice(0, 16).replace('T', ' ')}  sent ${fmt(p.sent)}/${fmt(p.total)}  stored ${fmt(stored)}`,
        p.sent === p.total,
      ),
  });
  if (abort.signal.aborted) return;
  for (let waited = 0; stored < scenario.mentions.length && waited < 120_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
  progress.done(`  done: ${fmt(scenario.mentions.length)} mentions sent, ${fmt(stored)} stored`);
  if (runtime.deps.store) say(`${await demoSummary(runtime.deps.store.client, scenario)}\n`);
  if (runtime.detector) {
    // The detector runs on wall-clock minutes; the story happened in compressed stream time,
    // so replay detection over it minute by minute, as a backfill would: from before the
    // outage to past its end, until its alerts have resolved as they would have live.
    const from = scenario.incident.start.getTime() - 30 * 60_000;
    const to = Math.min(scenario.end.getTime(), scenario.incident.end.getTime() + DEMO_REPLAY_PAST_OUTAGE_MS);
    const opened: string[] = [];
    const resolved: string[] = [];
    const raised = new Set<string>();
    const incidents = new Set<string>();
    let pages = 0;
    await runtime.detector.replay(from, to, {
      stopWhenQuietAfter: scenario.incident.end.getTime(),
      onStep: (t, alerts) => {
        for (const a of alerts) {
          raised.add(a.id);
          incidents.add(a.incident_id ?? a.id);
          if (!a.quiet) pages++;
          if (a.status === 'open') opened.push(...alertLines(a, t));
          if (a.status === 'resolved') resolved.push(...alertLines(a, t).slice(0, 1));
        }
        progress.update(`  replaying detection: stream time ${new Date(t).toISOString().slice(0, 16).replace('T', ' ')}, ${opened.length} alerts`);
      },
    });
    progress.done(opened.length ? `Alerts raised while the outage unfolded:\n${opened.join('\n')}` : 'No alerts raised.');
    if (resolved.length) say(`Resolved once the outage was over:\n${resolved.join('\n')}\n`);
    // One page per incident (#36): what a notification channel would have received.
    if (incidents.size)
      say(
        `${raised.size === 1 ? '1 alert' : `${raised.size} alerts`} in ${incidents.size === 1 ? '1 incident' : `${incidents.size} incidents`}, paging ${pages === 1 ? 'once' : `${pages} times`} (opened, worse, resolved): ${runtime.url}/v1/incidents?status=all\n`,
      );
  }
  const u = runtime.url;
  say(
    [
      '',
      `Open the console: ${u}/`,
      '',
      'Or read the API:',
      `  ${u}/v1/mentions?brand=globex&sentiment=negative&limit=20`,
      `  ${u}/v1/stats/sentiment?brand=globex&interval=1h`,
      `  ${u}/v1/stats/sentiment?brand=acme&interval=6h`,
      `  ${u}/v1/alerts?status=all`,
      `  ${u}/v1/stats/care?brand=acme   ${u}/v1/stats/care?brand=initech`,
      `  ${u}/v1/care/queue?brand=initech&limit=20`,
      `  ${u}/metrics   ${u}/healthz   ${u}/openapi.json`,
      'Ctrl-C stops Earshot; the data stays in EARSHOT_DATA_DIR.',
      '',
    ].join('\n'),
  );
}
