import { open } from 'node:fs/promises';
import { configuredBrandIds, csvImport, CsvMappingError, replayFile, type CsvImportOptions } from '@earshot/ingest';
import { createDetectorService } from '@earshot/detector';
import { ClickHouseLease, type Alert } from '@earshot/shared';
import { startRuntime, type Runtime } from '../runtime.js';
import { loadConfigOrExit } from '../config.js';
import { createProgress, fmt } from '../progress.js';
import { alertReport, replayOverHttp, streamSpan } from './backfill.js';
import { importSummary } from '../import-summary.js';
import { UsageError } from '../usage-error.js';

export interface ReplayOptions {
  /** Run detection over the file's stream time once it is stored (default). */
  detect: boolean;
  /** A running server to send the file to instead of the embedded store. */
  url?: string;
  key?: string;
  /** A CSV from another tool: its column map, time zone and default source (--map, --timezone, --source). */
  csv?: Omit<CsvImportOptions, 'brands'>;
}

/**
 * A CSV's header checked against the mapping before anything starts: a file that cannot be
 * read as asked is a usage error, with no store opened. Reads the first 64 KiB, cut at a line.
 */
async function checkCsvHeader(file: string, csv: ReplayOptions['csv']): Promise<void> {
  if (!/\.csv$/i.test(file)) {
    if (csv) throw new UsageError('--map, --timezone and --source apply to a .csv file');
    return;
  }
  const handle = await open(file);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(64 * 1024), 0, 64 * 1024, 0);
    const head = buffer.subarray(0, bytesRead);
    const cut = bytesRead === 64 * 1024 ? head.lastIndexOf(0x0a) + 1 : bytesRead;
    csvImport(head.subarray(0, cut || bytesRead).toString('utf8'), csv);
  } catch (err) {
    if (err instanceof CsvMappingError) throw new UsageError(`${file}: ${err.message}`);
    throw err;
  } finally {
    await handle.close();
  }
}

/**
 * `earshot replay FILE`: JSONL (or CSV) mentions through ingest. Embedded, the whole
 * pipeline runs in this process, and once everything is stored detection runs over the
 * file's stream time, minute by minute as the live schedule would have, and its alerts are
 * stored and printed. On Kafka only ingest runs here (the other services consume
 * elsewhere). With `url`, the file goes to a running server over HTTP, which backfills.
 */
export async function replayCommand(file: string, opts: ReplayOptions = { detect: true }): Promise<void> {
  await checkCsvHeader(file, opts.csv);
  if (opts.url) return replayOverHttp(file, { url: opts.url, key: opts.key, detect: opts.detect, csv: opts.csv });
  const config = loadConfigOrExit(process.env);
  const embedded = !config.EARSHOT_KAFKA_BROKERS;
  let runtime: Runtime;
  try {
    runtime = await startRuntime(config, { services: embedded ? ['ingest', 'classifier', 'writer'] : ['ingest'] });
  } catch (err) {
    if ((err as Error)?.name === 'StoreInUseError')
      (err as Error).message +=
        `.\nTo replay into the running server, send the file over HTTP: earshot replay ${file} --url http://${config.EARSHOT_HOST}:${config.EARSHOT_PORT} (key from EARSHOT_API_KEY or --key)`;
    throw err;
  }
  const progress = createProgress();
  const csv = opts.csv && { ...opts.csv, brands: configuredBrandIds(config.EARSHOT_BRANDS, runtime.brands?.accounts) };
  try {
    const started = Date.now();
    const result = await replayFile(file, {
      ingestor: runtime.ingest!.ingestor,
      deadLetters: runtime.ingest!.deadLetters,
      csv,
      onProgress: (p) =>
        progress.update(
          `  ${file}: ${((p.bytesRead / Math.max(1, p.totalBytes)) * 100).toFixed(0)}%  ${fmt(p.lines)} lines  ${fmt(p.accepted)} accepted  ${fmt(p.rejected)} rejected`,
        ),
    });
    if (embedded) {
      progress.update('  waiting for classifier and writer to store everything…', true);
      await runtime.drain(600_000);
    }
    const secs = (Date.now() - started) / 1000;
    progress.done(
      `Replayed ${file}: ${fmt(result.lines)} lines, ${fmt(result.accepted)} accepted, ${fmt(result.rejected)} rejected (reasons on the dead-letter topic) in ${secs.toFixed(1)}s`,
    );
    process.stdout.write(
      importSummary({
        file,
        keptAs: embedded ? 'stored' : 'published',
        kept: result.accepted,
        duplicates: result.duplicates,
        tally: result.tally,
        madeUpAuthors: result.madeUpAuthors,
        notes: result.notes,
        unit: /\.csv$/i.test(file) ? 'line' : 'record',
      }),
    );
    if (!opts.detect || !result.accepted) return;
    if (!embedded) {
      process.stderr.write(
        'Detection not run: with Kafka this process only publishes. Once stored, backfill on the server running the detector: earshot replay FILE --url http://HOST:PORT, or POST /v1/detection/backfill.\n',
      );
      return;
    }
    await detectOver(runtime, file, progress, csv);
  } finally {
    await runtime.stop();
  }
}

/** Detection over the stored file's stream time, with a detector of its own that is never scheduled. */
async function detectOver(runtime: Runtime, file: string, progress: ReturnType<typeof createProgress>, csv?: CsvImportOptions): Promise<void> {
  const span = await streamSpan(file, csv);
  if (!span) return;
  // chDB lets one process open the store, so this is the only detector there is: a name
  // that sorts first leads at once, whatever heartbeat a stopped server left, and its own
  // heartbeats are removed after, so a server started next leads at once too. On a
  // ClickHouse server the usual name, so a live detector's lead is never taken.
  const replica = runtime.deps.store?.kind === 'chdb' ? '!replay' : undefined;
  const detector = createDetectorService(runtime.deps, {
    sensitivity: runtime.brands?.sensitivity,
    replica,
  });
  const alerts: Alert[] = [];
  try {
    await detector.replay(span.from, span.to, {
      notify: false,
      onStep: (t, found, leader) => {
        if (!leader)
          throw new Error(
            'another detector leads on this ClickHouse server, so this replay cannot raise alerts: send the file to it with earshot replay FILE --url http://HOST:PORT',
          );
        alerts.push(...found);
        progress.update(
          `  detecting: stream time ${new Date(t).toISOString().slice(0, 16).replace('T', ' ')}, ${new Set(alerts.map((a) => a.id)).size} alerts`,
        );
      },
    });
  } finally {
    if (replica) await new ClickHouseLease(runtime.deps.store!.client, 'detector_leases', replica).release();
  }
  progress.done(`Detection replayed over ${fmt((span.to - span.from) / 60_000 + 1)} stream minutes of ${file}.`);
  process.stdout.write(alertReport(alerts, span, 'GET /v1/alerts?status=all lists them'));
}
