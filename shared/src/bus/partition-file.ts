import {
  closeSync,
  fdatasync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  write,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);

export interface StoredRecord {
  key: string | null;
  value: Buffer;
}

const SEGMENT_BYTES = 32 * 1024 * 1024;
const NO_KEY = 0xffffffff;
const segmentName = (base: number) => `${String(base).padStart(20, '0')}.log`;

/**
 * One partition of the embedded bus on disk: append-only segment files named by their
 * first offset. Records are `[value length u32][key length u32 or FFFFFFFF][key][value]`.
 * Appends are written and flushed to disk (fdatasync) together, every few milliseconds,
 * and a publish resolves only after its flush: what the bus acknowledged survives a crash.
 * The write and the flush run off the main thread, one at a time: what is appended while
 * one runs goes in the next.
 * A record cut short by a crash is dropped on load.
 */
export class PartitionFile {
  private fd: number | null = null;
  private segmentBase = 0;
  private segmentBytes = 0;
  /** First offsets of the segment files on disk, oldest first (read once, then kept here: trimming runs on every commit). */
  private bases: number[] = [];
  /** Offset the next record written to disk will have. */
  private fileOffset = 0;
  private pending: StoredRecord[] = [];
  private waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushTimer: NodeJS.Timeout | null = null;
  /** The flush on disk now, if any; the next one starts after it. */
  private flushing: Promise<void> = Promise.resolve();
  /** The last write error (a full disk), until a write succeeds again. */
  failure: Error | null = null;

  constructor(
    private readonly dir: string,
    private readonly flushEveryMs = 2,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Every record kept, from the first offset still on disk. Called once, before any append. */
  load(): { base: number; records: StoredRecord[] } {
    const segments = this.segments();
    this.bases = segments;
    const records: StoredRecord[] = [];
    const base = segments[0] ?? 0;
    for (const [i, seg] of segments.entries()) {
      const path = join(this.dir, segmentName(seg));
      const buf = readFileSync(path);
      let at = 0;
      while (at + 8 <= buf.length) {
        const valueLength = buf.readUInt32LE(at);
        const keyLength = buf.readUInt32LE(at + 4);
        const keyBytes = keyLength === NO_KEY ? 0 : keyLength;
        const end = at + 8 + keyBytes + valueLength;
        if (end > buf.length) break;
        const key = keyLength === NO_KEY ? null : buf.toString('utf8', at + 8, at + 8 + keyBytes);
        records.push({ key, value: Buffer.from(buf.subarray(at + 8 + keyBytes, end)) });
        at = end;
      }
      // A torn last record (the process died mid-write) is cut off, so appends go on cleanly.
      if (at < buf.length && i === segments.length - 1) {
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, at);
        closeSync(fd);
      }
    }
    this.segmentBase = segments.at(-1) ?? base;
    this.fileOffset = base + records.length;
    return { base, records };
  }

  /**
   * Writes records after those already on disk; resolves once they are flushed to disk,
   * rejects (and keeps none of them) when the write fails, a full disk say.
   */
  append(records: StoredRecord[]): Promise<void> {
    for (const r of records) this.pending.push(r);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.flushTimer ??= setTimeout(() => this.flushSoon(), this.flushEveryMs);
    });
  }

  /** Drops whole segments below `offset` (every group has committed past them). */
  trimTo(offset: number): void {
    while (this.bases.length > 1 && this.bases[1]! <= offset) rmSync(join(this.dir, segmentName(this.bases.shift()!)), { force: true });
  }

  /** Flushes what is pending, then closes the file. */
  async close(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushSoon();
    }
    await this.flushing;
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private flushSoon(): void {
    this.flushTimer = null;
    this.flushing = this.flushing.then(() => this.flush());
  }

  private async flush(): Promise<void> {
    const records = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    if (records.length === 0) return;
    const data = encodeRecords(records);
    try {
      if (this.fd === null || this.segmentBytes >= SEGMENT_BYTES) {
        // The first write goes on in the newest segment; a full one is followed by a new one starting here.
        if (this.fd !== null) closeSync(this.fd);
        this.fd = null;
        if (this.bases.length === 0 || this.segmentBytes >= SEGMENT_BYTES) {
          this.segmentBase = this.fileOffset;
          this.bases.push(this.segmentBase);
        }
        this.fd = openSync(join(this.dir, segmentName(this.segmentBase)), 'a');
        this.segmentBytes = fstatSync(this.fd).size;
      }
      let written = 0;
      while (written < data.length) written += (await writeAsync(this.fd, data, written, data.length - written)).bytesWritten;
      await fdatasyncAsync(this.fd);
      this.segmentBytes += data.length;
      this.fileOffset += records.length;
      this.failure = null;
      for (const w of waiters) w.resolve();
    } catch (err) {
      // Nothing half-written may stay behind a failed flush: the next load would read it as acknowledged.
      if (this.fd !== null) {
        try {
          ftruncateSync(this.fd, this.segmentBytes);
        } catch {
          // The file cannot even be cut back; a torn tail is dropped on load anyway.
        }
      }
      this.failure = err as Error;
      for (const w of waiters) w.reject(err as Error);
    }
  }

  private segments(): number[] {
    return readdirSync(this.dir)
      .filter((f) => /^\d{20}\.log$/.test(f))
      .map((f) => Number(f.slice(0, 20)))
      .sort((a, b) => a - b);
  }
}

/** Records in their on-disk form, in one buffer: each value is copied once, straight into the write. */
function encodeRecords(records: StoredRecord[]): Buffer {
  let size = 0;
  for (const r of records) size += 8 + (r.key === null ? 0 : Buffer.byteLength(r.key)) + r.value.length;
  const data = Buffer.allocUnsafe(size);
  let at = 0;
  for (const r of records) {
    data.writeUInt32LE(r.value.length, at);
    if (r.key === null) {
      data.writeUInt32LE(NO_KEY, at + 4);
      at += 8;
    } else {
      const keyLength = data.write(r.key, at + 8);
      data.writeUInt32LE(keyLength, at + 4);
      at += 8 + keyLength;
    }
    at += r.value.copy(data, at);
  }
  return data;
}

/** Committed offsets of every group of a topic, replaced whole (write, then rename) so a crash leaves the old or the new. */
export function saveOffsets(path: string, offsets: Record<string, number[]>): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(offsets));
  renameSync(`${path}.tmp`, path);
}

export function loadOffsets(path: string): Record<string, number[]> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, number[]>;
  } catch {
    return {};
  }
}
