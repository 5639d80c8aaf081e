import { readFile } from 'node:fs/promises';
import { EventRepository, eventImpact, parseEventsCsv, parseEventsIcs } from '@earshot/api';
import { eventsTopic, publishTo, topicName } from '@earshot/shared';
import { startRuntime } from '../runtime.js';
import { loadConfigOrExit } from '../config.js';
import { fmt } from '../progress.js';

/**
 * `earshot events import FILE [--brand B] [--kind K]`: CSV or iCalendar (.ics) events
 * onto the events topic. Embedded, the writer runs here and the command returns once
 * they are stored; with Kafka it only publishes.
 */
export async function eventsImportCommand(file: string, defaults: { brand?: string; kind?: string }): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const text = await readFile(file, 'utf8');
  const isIcs = /\.(ics|ical|ifb)$/i.test(file) || text.trimStart().startsWith('BEGIN:VCALENDAR');
  const result = isIcs ? parseEventsIcs(text, defaults) : parseEventsCsv(text, defaults);
  for (const r of result.rejected) process.stderr.write(`  record ${r.record} skipped: ${r.reason}\n`);
  const embedded = !config.EARSHOT_KAFKA_BROKERS;
  const runtime = await startRuntime(config, { services: embedded ? ['writer'] : [] });
  try {
    await publishTo(runtime.deps.bus, config, eventsTopic, result.events);
    if (embedded) await runtime.drain();
  } finally {
    await runtime.stop();
  }
  process.stderr.write(`Imported ${fmt(result.events.length)} events from ${file} (${isIcs ? 'iCalendar' : 'CSV'}), ${fmt(result.rejected.length)} skipped\n`);
  if (result.events.length === 0 && result.rejected.length > 0) process.exitCode = 1;
}

/** `earshot events impact ID [--before 24h] [--after 24h]`: the impact report as JSON, its verdict on stderr. */
export async function eventsImpactCommand(id: string, opts: { beforeS: number; afterS?: number }): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const runtime = await startRuntime(config, { services: [], store: true });
  try {
    const client = runtime.deps.store!.client;
    const event = await new EventRepository({ client, bus: runtime.deps.bus, topic: topicName(config, eventsTopic.name) }).get(id);
    const span = event.ends_at ? Date.parse(event.ends_at) - Date.parse(event.starts_at) : 86_400_000;
    const report = await eventImpact(client, event, { beforeMs: opts.beforeS * 1000, afterMs: opts.afterS ? opts.afterS * 1000 : Math.max(3_600_000, span) });
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`${report.verdict}\n`);
  } finally {
    await runtime.stop();
  }
}
