import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { DeadLetters } from '@earshot/shared';
import type { Ingestor } from './ingestor.js';
import { csvImport, type CsvImportOptions } from './csv-mapping.js';
import { parseMentionsBody } from './parse-body.js';
import { RejectionTally } from './rejection-tally.js';

export interface ReplayProgress {
  lines: number;
  accepted: number;
  rejected: number;
  bytesRead: number;
  totalBytes: number;
}

/** What a replay did, for its summary: rejections by reason, and how the file was read. */
export interface ReplayResult extends ReplayProgress {
  duplicates: number;
  tally: RejectionTally;
  /** Ignored columns and defaults used (a mapped CSV). */
  notes: string[];
  madeUpAuthors: number;
}

type ReplayDeps = {
  ingestor: Ingestor;
  deadLetters: DeadLetters;
  onProgress?: (p: ReplayProgress) => void;
  linesPerChunk?: number;
  /** How to read a CSV from another tool (column map, time zone, default source, brand ids). */
  csv?: CsvImportOptions;
};

/** Reads a JSONL file in chunks of whole lines, without decoding lines it has not reached yet. */
async function* lineChunks(path: string, linesPerChunk: number): AsyncGenerator<{ buffer: Buffer; bytes: number }> {
  let carry: Buffer = Buffer.alloc(0);
  let pending: Buffer[] = [];
  let pendingLines = 0;
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    let data: Buffer = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let lastNewline = data.lastIndexOf(0x0a);
    if (lastNewline === -1) {
      carry = data;
      continue;
    }
    carry = data.subarray(lastNewline + 1);
    data = data.subarray(0, lastNewline + 1);
    pending.push(data);
    for (let i = data.indexOf(0x0a); i !== -1; i = data.indexOf(0x0a, i + 1)) pendingLines++;
    if (pendingLines >= linesPerChunk) {
      yield { buffer: Buffer.concat(pending), bytes };
      pending = [];
      pendingLines = 0;
    }
  }
  if (carry.length) pending.push(carry);
  if (pending.length) yield { buffer: Buffer.concat(pending), bytes };
}

/** A CSV backfill: read whole (CSV fields may span lines), then ingested in chunks. */
async function replayCsv(path: string, deps: ReplayDeps): Promise<ReplayResult> {
  const text = await readFile(path, 'utf8');
  const { items, notes, madeUpAuthors } = csvImport(text, deps.csv);
  const progress: ReplayProgress = { lines: 0, accepted: 0, rejected: 0, bytesRead: 0, totalBytes: Buffer.byteLength(text) };
  const tally = new RejectionTally();
  let duplicates = 0;
  const size = deps.linesPerChunk ?? 2000;
  for (let i = 0; i < items.length; i += size) {
    const chunk = items.slice(i, i + size).map((it, j) => ({ ...it, index: j }));
    const result = await deps.ingestor.ingest(chunk, 'replay');
    duplicates += result.duplicates;
    for (const r of result.rejected) tally.add(chunk[r.index]!.line, r.reason, r.category);
    await deps.deadLetters.send(
      result.rejected.map((r) => ({
        origin: `replay:${path}`,
        stage: 'ingest.replay',
        reason: `line ${chunk[r.index]!.line}: ${r.reason}`,
        key: r.id ?? null,
        payload: JSON.stringify((chunk[r.index] as { value?: unknown }).value ?? null),
      })),
    );
    progress.lines += chunk.length;
    progress.accepted += result.accepted;
    progress.rejected += result.rejected.length;
    progress.bytesRead = Math.round((progress.lines / items.length) * progress.totalBytes);
    deps.onProgress?.({ ...progress });
  }
  return { ...progress, duplicates, tally, notes, madeUpAuthors };
}

/**
 * Replays a JSONL (or, by its .csv extension, CSV) file of mentions through the same
 * validation as the webhook. Records that cannot be used go to the dead-letter topic with
 * their reason; the rest are published.
 */
export async function replayFile(path: string, deps: ReplayDeps): Promise<ReplayResult> {
  if (/\.csv$/i.test(path)) return replayCsv(path, deps);
  const totalBytes = (await stat(path)).size;
  const progress: ReplayProgress = { lines: 0, accepted: 0, rejected: 0, bytesRead: 0, totalBytes };
  const tally = new RejectionTally();
  let duplicates = 0;
  for await (const { buffer, bytes } of lineChunks(path, deps.linesPerChunk ?? 2000)) {
    const items = parseMentionsBody(buffer, 'application/x-ndjson');
    const lines = buffer.toString('latin1').split('\n');
    const result = await deps.ingestor.ingest(items, 'replay');
    const nonEmpty = lines.filter((l) => l.trim() !== '');
    duplicates += result.duplicates;
    for (const r of result.rejected) tally.add(progress.lines + r.index + 1, r.reason, r.category);
    await deps.deadLetters.send(
      result.rejected.map((r) => ({
        origin: `replay:${path}`,
        stage: 'ingest.replay',
        reason: `record ${progress.lines + r.index + 1}: ${r.reason}`,
        key: r.id ?? null,
        payload: Buffer.from(nonEmpty[r.index] ?? '', 'latin1'),
      })),
    );
    progress.lines += items.length;
    progress.accepted += result.accepted;
    progress.rejected += result.rejected.length;
    progress.bytesRead = bytes;
    deps.onProgress?.({ ...progress });
  }
  return { ...progress, duplicates, tally, notes: [], madeUpAuthors: 0 };
}
