import {
  closeSync,
  fdatasync,
  fdatasyncSync,
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
  writeSync,
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
/**
 * A consumed segment is rolled away this long after the partition was last found fully
 * consumed, not at every catch-up: a busy partition catches up many times a second, and
 * each roll closes, rewrites and reopens its file (erasure stays prompt: a second).
 */
const ROLL_AFTER_MS = 1_000;
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
  /** The last write error (a full disk), until a write (or a probe) succeeds again. */
  failure: Error | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** A rewrite of the consumed segment is queued (see trimTo). */
  private rolling = false;
  private rollTimer: NodeJS.Timeout | null = null;
  /** The highest offset every group has committed past, as last told by trimTo. */
  private consumedTo = 0;

  constructor(
    private readonly dir: string,
    private readonly flushEveryMs = 2,
    /** How often, while the last write failed, a small probe write checks whether the disk takes writes again. */
    private readonly probeEveryMs = 2_000,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Every record kept, from the first offset still on disk. Called once, before any append. */
  load(): { base: number; records: StoredRecord[] } {
    const segments = this.segments();
    this.bases = segments;
    const { base, records } = this.read(segments, true);
    this.segmentBase = segments.at(-1) ?? base;
    this.fileOffset = base + records.length;
    return { base, records };
  }

  /**
   * The records of these segments, in offset order. A segment holds the offsets from its
   * name up to the next segment's: where a crash in a rewrite left an older segment
   * beside its replacement, the newer one's offsets win.
   */
  private read(segments: number[], repairTail: boolean): { base: number; records: StoredRecord[] } {
    const records: StoredRecord[] = [];
    const base = segments[0] ?? 0;
    for (const [i, seg] of segments.entries()) {
      const path = join(this.dir, segmentName(seg));
      const buf = readFileSync(path);
      const limit = i + 1 < segments.length ? segments[i + 1]! - seg : Infinity;
      let at = 0;
      let count = 0;
      while (at + 8 <= buf.length && count < limit) {
        const valueLength = buf.readUInt32LE(at);
        const keyLength = buf.readUInt32LE(at + 4);
        const keyBytes = keyLength === NO_KEY ? 0 : keyLength;
        const end = at + 8 + keyBytes + valueLength;
        if (end > buf.length) break;
        const key = keyLength === NO_KEY ? null : buf.toString('utf8', at + 8, at + 8 + keyBytes);
        records.push({ key, value: Buffer.from(buf.subarray(at + 8 + keyBytes, end)) });
        count++;
        at = end;
      }
      // A torn last record (the process died mid-write) is cut off, so appends go on cleanly.
      if (repairTail && at < buf.length && i === segments.length - 1) {
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, at);
        closeSync(fd);
      }
    }
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

  /**
   * Drops whole segments below `offset` (every group has committed past them). Once
   * everything on disk is consumed, the segment in use goes too (a new, empty one takes
   * its place): consumed records do not stay on disk for the weeks a 32 MB segment takes
   * to fill, an erased author's among them.
   */
  trimTo(offset: number): void {
    while (this.bases.length > 1 && this.bases[1]! <= offset) rmSync(join(this.dir, segmentName(this.bases.shift()!)), { force: true });
    this.consumedTo = Math.max(this.consumedTo, offset);
    if (this.rollTimer || this.rolling || !this.fullyConsumed()) return;
    this.rollTimer = setTimeout(() => {
      this.rollTimer = null;
      if (this.closed || !this.fullyConsumed()) return;
      this.rolling = true;
      this.inTurn(() => {
        this.rolling = false;
        // Appends may have come in meanwhile: then only once they too are consumed.
        if (this.fullyConsumed()) this.rewriteFrom(this.consumedTo, []);
      }).catch(() => undefined);
    }, ROLL_AFTER_MS);
    this.rollTimer.unref();
  }

  /** Everything on disk is consumed, and there is something on disk to roll away. */
  private fullyConsumed(): boolean {
    return this.consumedTo >= this.fileOffset && this.pending.length === 0 && (this.segmentBytes > 0 || this.bases.length > 1);
  }

  /**
   * Rewrites the partition on disk from offset `from`: records before it are dropped, and
   * every later record whose value `erase` picks keeps its offset with an empty value (a
   * tombstone, which consumers skip). Resolves with how many were erased, once the new
   * segment is flushed and the old ones removed.
   */
  erase(from: number, erase: (value: Buffer) => boolean): Promise<number> {
    return this.inTurn(() => {
      const { base, records } = this.read(this.bases, false);
      const start = Math.max(from, base);
      let erased = 0;
      const kept = records.slice(start - base).map((r) => {
        if (r.value.length === 0 || !erase(r.value)) return r;
        erased++;
        return { key: r.key, value: Buffer.alloc(0) };
      });
      this.rewriteFrom(start, kept);
      return erased;
    });
  }

  /** Runs `work` between flushes, never beside one. */
  private inTurn<T>(work: () => T): Promise<T> {
    const run = this.flushing.then(work);
    this.flushing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  /**
   * One segment named `from`, holding `records` (the offsets from `from` to the end of the
   * file), written beside the others, flushed, renamed over; the others are removed after.
   */
  private rewriteFrom(from: number, records: StoredRecord[]): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const data = encodeRecords(records);
    const path = join(this.dir, segmentName(from));
    const fd = openSync(`${path}.tmp`, 'w');
    try {
      for (let written = 0; written < data.length;) written += writeSync(fd, data, written, data.length - written);
      // An empty segment needs no flush: lost in a crash, the consumed segments it replaces are read as consumed.
      if (data.length) fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(`${path}.tmp`, path);
    for (const b of this.bases) if (b !== from) rmSync(join(this.dir, segmentName(b)), { force: true });
    this.bases = [from];
    this.segmentBase = from;
    this.segmentBytes = data.length;
  }

  /** Flushes what is pending, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.rollTimer) clearTimeout(this.rollTimer);
    this.rollTimer = null;
    if (this.probeTimer) clearTimeout(this.probeTimer);
    this.probeTimer = null;
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
      this.probeSoon();
      for (const w of waiters) w.reject(err as Error);
    }
  }

  /**
   * A failure clears on the next successful write, and a partition nobody publishes to is
   * never written again: without a probe, health would stay red after the disk recovered,
   * and an orchestrator would restart a healthy process for ever.
   */
  private probeSoon(): void {
    if (this.probeTimer || this.closed) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      void this.inTurn(() => this.probe());
    }, this.probeEveryMs);
    this.probeTimer.unref();
  }

  /** Writes and flushes a page to a scratch file beside the segments; success clears the failure. */
  private async probe(): Promise<void> {
    if (!this.failure || this.closed) return;
    const path = join(this.dir, 'probe.tmp');
    try {
      const fd = openSync(path, 'w');
      try {
        const { bytesWritten } = await writeAsync(fd, Buffer.alloc(4096), 0, 4096);
        if (bytesWritten < 4096) throw new Error('the probe was written short: the disk is still full');
        await fdatasyncAsync(fd);
      } finally {
        closeSync(fd);
      }
      this.failure = null;
    } catch {
      this.probeSoon();
    } finally {
      rmSync(path, { force: true });
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
