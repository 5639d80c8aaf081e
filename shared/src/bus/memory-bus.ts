import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import type { Clock } from '../clock.js';
import { sleep } from '../clock.js';
import type { Metrics } from '../metrics.js';
import { backoffMs } from '../retry.js';
import { BatchLostError, BusUnavailableError, errorMessage } from './types.js';
import type { Bus, BusMessage, ConsumerHealth, OutgoingMessage, SubscribeOptions, Subscription } from './types.js';
import { PartitionFile, loadOffsets, saveOffsets } from './partition-file.js';

/** FNV-1a: stable, cheap, spreads short keys well enough to pick a partition. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

class Signal {
  private waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
  notify(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }
}

class Partition {
  log: BusMessage[] = [];
  /** Offset of log[0]. */
  base = 0;
  get end(): number {
    return this.base + this.log.length;
  }
  /** Notified on append, rebalance and close: the one thing a partition loop waits on. */
  readonly wake = new Signal();
  readonly space = new Signal();
}

interface Member {
  options: SubscribeOptions;
  health: ConsumerHealth;
  stopped: boolean;
  inFlight: Set<Promise<void>>;
}

class Group {
  committed: number[];
  members: Member[] = [];
  assignment = new Map<number, Member>();
  constructor(
    private readonly partitions: Partition[],
    /** Offsets this group had committed before a restart (durable bus). */
    saved?: number[],
  ) {
    this.committed = partitions.map((p, i) => Math.max(p.base, Math.min(saved?.[i] ?? p.base, p.end)));
  }
  /** Round-robin assignment; wakes every partition loop so each sees its new owner. */
  rebalance(): void {
    this.assignment.clear();
    this.partitions.forEach((part, p) => {
      if (this.members.length > 0) this.assignment.set(p, this.members[p % this.members.length]!);
      part.wake.notify();
    });
  }
}

class TopicState {
  readonly partitions: Partition[];
  readonly groups = new Map<string, Group>();
  nextPartition = 0;
  /** On disk (durable bus): one file per partition, and the groups' committed offsets. */
  files: PartitionFile[] | null = null;
  offsetsPath: string | null = null;
  savedOffsets: Record<string, number[]> = {};
  saveTimer: NodeJS.Timeout | null = null;
  constructor(count: number) {
    this.partitions = Array.from({ length: count }, () => new Partition());
  }
}

export interface MemoryBusOptions {
  partitions: number;
  /** Messages a partition may hold that a subscribed group has not committed; publish waits beyond it. */
  capacity: number;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  /**
   * Where to keep every topic on disk. With it, a publish resolves only once its messages
   * are flushed to disk, and committed offsets are saved, so after a crash or a stop that
   * did not drain, everything acknowledged and not yet handled is delivered again.
   */
  dir?: string;
}

/**
 * The in-process bus: the Kafka contract (groups, partitions, keyed order,
 * at-least-once, commit after the handler) without a broker, for the embedded mode.
 * Queues are bounded: a publisher waits while the slowest group is `capacity` behind;
 * a topic nobody subscribes to keeps only the newest `capacity` messages, as a broker's
 * retention would.
 */
export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly topics = new Map<string, TopicState>();
  private readonly loops = new Set<Promise<void>>();
  private closed = false;
  private readonly stopAll = new AbortController();

  constructor(private readonly opts: MemoryBusOptions) {
    // Every partition loop of every group may be sleeping on this signal at once.
    setMaxListeners(0, this.stopAll.signal);
  }

  private topic(name: string): TopicState {
    let t = this.topics.get(name);
    if (!t) {
      t = new TopicState(this.opts.partitions);
      if (this.opts.dir) this.openOnDisk(t, name, this.opts.dir);
      this.topics.set(name, t);
    }
    return t;
  }

  /** Loads what a topic held on disk: messages not yet trimmed, and each group's committed offsets. */
  private openOnDisk(t: TopicState, name: string, dir: string): void {
    const topicDir = join(dir, encodeURIComponent(name));
    t.files = t.partitions.map((part, p) => {
      const file = new PartitionFile(join(topicDir, String(p)));
      const { base, records } = file.load();
      part.base = base;
      part.log = records.map((r, i) => ({ topic: name, partition: p, offset: String(base + i), key: r.key, value: r.value }));
      return file;
    });
    t.offsetsPath = join(topicDir, 'offsets.json');
    t.savedOffsets = loadOffsets(t.offsetsPath);
  }

  /** Saves the groups' committed offsets soon (a crash before then redelivers a little, never loses). */
  private saveOffsetsSoon(t: TopicState): void {
    if (!t.offsetsPath || t.saveTimer) return;
    t.saveTimer = setTimeout(() => this.saveOffsetsNow(t), 50);
  }

  private saveOffsetsNow(t: TopicState): void {
    if (t.saveTimer) clearTimeout(t.saveTimer);
    t.saveTimer = null;
    if (!t.offsetsPath) return;
    for (const [name, g] of t.groups) t.savedOffsets[name] = [...g.committed];
    try {
      saveOffsets(t.offsetsPath, t.savedOffsets);
    } catch (err) {
      this.opts.logger.warn({ err: errorMessage(err) }, 'could not save the bus offsets; a restart will redeliver more');
    }
  }

  /** Red while the disk refuses writes (full): the bus then refuses publishes, so nothing is acknowledged that is not kept. */
  health(): { name: string; check(): { ok: boolean; detail?: unknown } } {
    return {
      name: 'bus',
      check: () => {
        const failures = [...this.topics.entries()].flatMap(([name, t]) =>
          (t.files ?? []).flatMap((f, p) => (f.failure ? [`${name}[${p}]: ${f.failure.message}`] : [])),
        );
        return {
          ok: failures.length === 0,
          detail: { kind: 'memory', durable: Boolean(this.opts.dir), ...(failures.length ? { write_errors: failures } : {}) },
        };
      },
    };
  }

  async ensureTopics(topics: string[]): Promise<void> {
    for (const name of topics) this.topic(name);
  }

  async publish(topicName: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    const topic = this.topic(topicName);
    // Per partition, in order: wait for room, keep on disk (durable bus), then hand over.
    const byPartition = new Map<number, OutgoingMessage[]>();
    for (const m of messages) {
      const p = m.key === null ? topic.nextPartition++ % topic.partitions.length : hashKey(m.key) % topic.partitions.length;
      const list = byPartition.get(p);
      if (list) list.push(m);
      else byPartition.set(p, [m]);
    }
    await Promise.all(
      [...byPartition].map(async ([p, batch]) => {
        const part = topic.partitions[p]!;
        const values = batch.map((m) => ({ key: m.key, value: typeof m.value === 'string' ? Buffer.from(m.value) : m.value, decoded: m.decoded }));
        for (let at = 0; at < values.length;) {
          while (topic.groups.size > 0 && part.end - this.slowest(topic, p) >= this.opts.capacity) {
            if (this.closed) throw new Error('bus is closed');
            await part.space.wait();
          }
          const room = topic.groups.size > 0 ? this.opts.capacity - (part.end - this.slowest(topic, p)) : values.length;
          const chunk = values.slice(at, at + Math.max(1, room));
          at += chunk.length;
          try {
            await topic.files?.[p]!.append(chunk);
          } catch (err) {
            throw new BusUnavailableError(`the in-process bus cannot write to ${this.opts.dir} (${errorMessage(err)}); nothing of this publish was kept`);
          }
          for (const v of chunk) {
            part.log.push({
              topic: topicName,
              partition: p,
              offset: String(part.end),
              key: v.key,
              value: v.value,
              ...(v.decoded ? { decoded: v.decoded } : {}),
            });
            if (topic.groups.size === 0 && part.log.length > this.opts.capacity) {
              part.log.shift();
              part.base++;
            }
          }
          part.wake.notify();
        }
        if (topic.groups.size === 0) topic.files?.[p]!.trimTo(part.base);
      }),
    );
  }

  async forget(erase: (value: Buffer) => boolean): Promise<number> {
    let erased = 0;
    for (const [name, topic] of this.topics)
      for (const [p, part] of topic.partitions.entries()) {
        // In memory first: no delivery from here on hands the record out.
        let inMemory = 0;
        part.log = part.log.map((m) => {
          if (m.value.length === 0 || !erase(m.value)) return m;
          inMemory++;
          return { topic: name, partition: p, offset: m.offset, key: m.key, value: Buffer.alloc(0) };
        });
        const file = topic.files?.[p];
        erased += file ? await file.erase(part.base, erase) : inMemory;
      }
    return erased;
  }

  private slowest(topic: TopicState, p: number): number {
    let min = Infinity;
    for (const g of topic.groups.values()) min = Math.min(min, g.committed[p]!);
    return min === Infinity ? topic.partitions[p]!.end : min;
  }

  private trim(topic: TopicState, p: number): void {
    const part = topic.partitions[p]!;
    const drop = this.slowest(topic, p) - part.base;
    if (drop > 0) {
      part.log.splice(0, drop);
      part.base += drop;
      topic.files?.[p]!.trimTo(part.base);
      part.space.notify();
    }
  }

  /** Every (topic, group) with a member now: what runs, for checking it against the stream graph. */
  subscriptions(): { topic: string; group: string }[] {
    return [...this.topics.entries()].flatMap(([topic, t]) =>
      [...t.groups.entries()].filter(([, g]) => g.members.length > 0).map(([group]) => ({ topic, group })),
    );
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.closed) throw new Error('bus is closed');
    const topic = this.topic(options.topic);
    let group = topic.groups.get(options.group);
    const isNewGroup = !group;
    if (!group) {
      group = new Group(topic.partitions, topic.savedOffsets[options.group]);
      topic.groups.set(options.group, group);
    }
    const member: Member = {
      options,
      stopped: false,
      inFlight: new Set(),
      health: { group: options.group, topic: options.topic, busySince: null, lastCommitAt: null, failedAttempts: 0, lastError: null },
    };
    group.members.push(member);
    group.rebalance();
    if (isNewGroup) {
      for (let p = 0; p < topic.partitions.length; p++) this.track(this.partitionLoop(topic, group, p));
    }
    return {
      health: () => ({ ...member.health }),
      stop: async () => {
        if (member.stopped) return;
        member.stopped = true;
        group.members = group.members.filter((m) => m !== member);
        group.rebalance();
        await Promise.all([...member.inFlight]);
      },
    };
  }

  private track(loop: Promise<void>): void {
    this.loops.add(loop);
    void loop.finally(() => this.loops.delete(loop));
  }

  private async partitionLoop(topic: TopicState, group: Group, p: number): Promise<void> {
    const part = topic.partitions[p]!;
    const { logger, metrics, clock } = this.opts;
    let attempt = 0;
    while (!this.closed) {
      const member = group.assignment.get(p);
      const from = group.committed[p]!;
      if (!member || from >= part.end) {
        await part.wake.wait();
        continue;
      }
      const { maxBatch, maxWaitMs, handler } = member.options;
      if (part.end - from < maxBatch && maxWaitMs > 0 && attempt === 0) {
        await sleep(maxWaitMs, this.stopAll.signal);
        if (this.closed || group.assignment.get(p) !== member) continue;
      }
      const batch = part.log.slice(from - part.base, from - part.base + maxBatch);
      const labels = { group: member.options.group, topic: member.options.topic };
      metrics.batchSize.observe(labels, batch.length);
      metrics.batchFill.observe(labels, batch.length / maxBatch);
      member.health.busySince ??= clock.now();
      // In one process no other member can hold the batch unless this one was stopped or the group reassigned.
      const run = handler(batch, {
        confirmOwnership: async () => {
          if (this.closed || member.stopped || group.assignment.get(p) !== member)
            throw new BatchLostError(`partition ${p} of ${labels.topic} is no longer this member's`);
        },
      });
      const settled = run.then(
        () => undefined,
        () => undefined,
      );
      member.inFlight.add(settled);
      try {
        await run;
        group.committed[p] = from + batch.length;
        this.saveOffsetsSoon(topic);
        member.health.busySince = null;
        member.health.lastCommitAt = clock.now();
        metrics.consumerLag.set({ ...labels, partition: String(p) }, part.end - group.committed[p]);
        attempt = 0;
        this.trim(topic, p);
      } catch (err) {
        attempt++;
        member.health.failedAttempts++;
        member.health.lastError = errorMessage(err);
        metrics.handlerRetries.inc(labels);
        const wait = backoffMs(attempt);
        logger.warn(
          { err: errorMessage(err), group: labels.group, topic: labels.topic, partition: p, attempt, retryInMs: wait },
          'batch handler failed; will redeliver',
        );
        await sleep(wait, this.stopAll.signal);
      } finally {
        member.inFlight.delete(settled);
      }
    }
  }

  /** True when every subscribed group has committed everything published so far. */
  isIdle(): boolean {
    for (const t of this.topics.values()) for (const g of t.groups.values()) if (t.partitions.some((part, p) => g.committed[p]! < part.end)) return false;
    return true;
  }

  /**
   * Resolves once every subscribed group has caught up (checked over two polls, so work
   * that a handler publishes on to the next topic counts too), or when the time is up.
   */
  async whenIdle(timeoutMs = 60_000, pollMs = 20): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let quietPolls = 0;
    while (Date.now() < deadline) {
      quietPolls = this.isIdle() ? quietPolls + 1 : 0;
      if (quietPolls >= 2) return true;
      await sleep(pollMs);
    }
    return false;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopAll.abort();
    for (const t of this.topics.values())
      for (const p of t.partitions) {
        p.space.notify();
        p.wake.notify();
      }
    await Promise.all([...this.loops]);
    for (const t of this.topics.values()) {
      this.saveOffsetsNow(t);
      await Promise.all((t.files ?? []).map((f) => f.close()));
    }
  }
}
