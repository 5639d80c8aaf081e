import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createMetrics, loadConfig, type Mention } from '@earshot/shared';
import { startRuntime } from '../runtime.js';
import { generateDemoScenario, DEMO_BRANDS_ENV } from '../demo/scenario.js';
import { rawKafkaRates, startLocalKafka } from '../kafka-broker.js';
import { createProgress, fmt } from '../progress.js';

/**
 * `count` distinct mentions, cycling the demo's realistic texts under fresh ids. Made as
 * they are sent, as a stream's arrive: holding all of them for the whole run would make
 * the collector mark them again and again, a cost no real stream has.
 */
function benchMentions(count: number): { at(i: number): Mention; length: number } {
  const base = generateDemoScenario({ seed: 7, end: new Date() }).mentions;
  return { length: count, at: (i) => ({ ...base[i % base.length]!, id: `bench-${i}` }) };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/**
 * `earshot bench`: pushes `count` mentions through ingest → classifier → writer and
 * reports end-to-end throughput and ingest-to-stored latency. Embedded by default;
 * --kafka runs the same services through Kafka (EARSHOT_KAFKA_BROKERS, or the local
 * broker started by infra/kafka/kafka.sh). Always on a fresh chDB directory.
 */
export async function benchCommand(opts: { kafka: boolean; count: number; rate?: number }): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'earshot-bench-'));
  const brokers = opts.kafka ? (process.env.EARSHOT_KAFKA_BROKERS ?? (await startLocalKafka())) : undefined;
  const config = loadConfig({
    ...process.env,
    EARSHOT_DATA_DIR: dataDir,
    EARSHOT_BRANDS: DEMO_BRANDS_ENV,
    EARSHOT_KAFKA_BROKERS: brokers ?? '',
    EARSHOT_TOPIC_PREFIX: opts.kafka ? `bench-${Date.now()}.` : '',
    EARSHOT_LOG_LEVEL: process.env.EARSHOT_LOG_LEVEL ?? 'warn',
  });
  const mentions = benchMentions(opts.count);
  const latencies: number[] = [];
  // Its own registry, to say which tier read how many mentions (the adaptive tier mixes two).
  const metrics = createMetrics({ defaultMetrics: false });
  const runtime = await startRuntime(config, {
    services: ['ingest', 'classifier', 'writer'],
    logger: createLogger(config.EARSHOT_LOG_LEVEL),
    metrics,
    onStored: (stored, at) => {
      for (const m of stored) latencies.push(at - Date.parse(m.ingested_at));
    },
  });
  const progress = createProgress();
  const mode = `${opts.kafka ? `kafka (${brokers}, ${config.EARSHOT_TOPIC_PARTITIONS} partitions)` : 'embedded (in-process bus)'}${opts.rate ? `, paced at ${fmt(opts.rate)}/s` : ', unpaced'}`;
  process.stderr.write(`bench: ${fmt(opts.count)} mentions, ${mode}, chDB in ${dataDir}\n`);
  try {
    const started = performance.now();
    // With --rate, send at that steady rate (latency under load); without, as fast as accepted (capacity).
    const chunk = opts.rate ? Math.max(1, Math.min(1000, Math.round(opts.rate / 20))) : 1000;
    for (let i = 0; i < mentions.length; i += chunk) {
      if (opts.rate) {
        const wait = started + (i / opts.rate) * 1000 - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      const items = Array.from({ length: Math.min(chunk, mentions.length - i) }, (_, j) => ({ index: i + j, value: mentions.at(i + j) }));
      await runtime.ingest!.ingestor.ingest(items, 'bench');
      progress.update(`  sent ${fmt(Math.min(i + chunk, mentions.length))}/${fmt(opts.count)}  stored ${fmt(latencies.length)}`);
    }
    const sentAt = performance.now();
    const deadline = Date.now() + 600_000;
    while (latencies.length < opts.count && Date.now() < deadline) {
      progress.update(`  sent ${fmt(opts.count)}/${fmt(opts.count)}  stored ${fmt(latencies.length)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    progress.done(`  stored ${fmt(latencies.length)}/${fmt(opts.count)}`);
    const lines = [
      `mode:        ${mode}`,
      `mentions:    ${fmt(latencies.length)} stored of ${fmt(opts.count)} sent`,
      `ingest:      ${fmt(Math.round(opts.count / ((sentAt - started) / 1000)))} mentions/s accepted`,
      `throughput:  ${fmt(Math.round(latencies.length / elapsed))} mentions/s end to end (${elapsed.toFixed(1)} s)`,
      `tiers:       ${(await metrics.classified.get()).values.map((v) => `${fmt(v.value)} by ${v.labels.model}`).join(', ')}`,
      `latency:     p50 ${fmt(Math.round(quantile(latencies, 0.5)))} ms, p95 ${fmt(Math.round(quantile(latencies, 0.95)))} ms, max ${fmt(Math.round(latencies[latencies.length - 1] ?? NaN))} ms (ingest to stored row)`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    if (latencies.length < opts.count) process.exitCode = 1;
    if (brokers) {
      // The same broker, record count and record size through Kafka's own perf tools: how much of what Kafka can carry Earshot reaches.
      let total = 0;
      for (let i = 0; i < mentions.length; i++) total += Buffer.byteLength(JSON.stringify(mentions.at(i)));
      const bytes = Math.round(total / mentions.length);
      progress.update(`  raw Kafka: ${fmt(opts.count)} records of ${bytes} bytes through kafka-producer-perf-test and kafka-consumer-perf-test`, true);
      const raw = await rawKafkaRates(brokers, opts.count, bytes, config.EARSHOT_TOPIC_PARTITIONS);
      progress.done('  raw Kafka: measured');
      const e2e = latencies.length / elapsed;
      const pct = (x: number) => `${((100 * e2e) / x).toFixed(1)}%`;
      process.stdout.write(
        [
          `raw Kafka:   produce ${fmt(Math.round(raw.produce))}/s, consume ${fmt(Math.round(raw.consume))}/s (Kafka's perf tools, same broker, ${fmt(opts.count)} records of ${bytes} bytes, acks=all)`,
          `ratio:       Earshot end to end is ${pct(raw.produce)} of raw produce and ${pct(raw.consume)} of raw consume`,
        ].join('\n') + '\n',
      );
    }
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
