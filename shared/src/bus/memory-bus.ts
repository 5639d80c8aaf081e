import { setMaxListeners } from 'node:events';
import type { Logger } from '../logger.js';
import type { Clock } from '../clock.js';
import { sleep } from '../clock.js';
import type { Metrics } from '../metrics.js';
import {
  backoffMs,
  errorMessage,
  type Bus,
  type BusMessage,
  type ConsumerHealth,
  type OutgoingMessage,
  type SubscribeOptions,
  type Subscription,
} from './types.js';

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
  constructor(private readonly partitions: Partition[]) {
    this.committed = partitions.map((p) => p.base);
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
      this.topics.set(name, t);
    }
    return t;
  }

  async ensureTopics(topics: string[]): Promise<void> {
    for (const name of topics) this.topic(name);
  }

  async publish(topicName: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    const topic = this.topic(topicName);
    for (const m of messages) {
      const p =
        m.key === null ? topic.nextPartition++ % topic.partitions.length : hashKey(m.key) % topic.partitions.length;
      const part = topic.partitions[p]!;
      while (topic.groups.size > 0 && part.end - this.slowest(topic, p) >= this.opts.capacity) {
        if (this.closed) throw new Error('bus is closed');
        await part.space.wait();
      }
      part.log.push({
        topic: topicName,
        partition: p,
        offset: String(part.end),
        key: m.key,
        value: typeof m.value === 'string' ? Buffer.from(m.value) : m.value,
      });
      if (topic.groups.size === 0 && part.log.length > this.opts.capacity) {
        part.log.shift();
        part.base++;
      }
      part.wake.notify();
    }
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
      part.space.notify();
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    if (this.closed) throw new Error('bus is closed');
    const topic = this.topic(options.topic);
    let group = topic.groups.get(options.group);
    const isNewGroup = !group;
    if (!group) {
      group = new Group(topic.partitions);
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
      const run = handler(batch);
      const settled = run.then(
        () => undefined,
        () => undefined,
      );
      member.inFlight.add(settled);
      try {
        await run;
        group.committed[p] = from + batch.length;
        member.health.busySince = null;
        member.health.lastCommitAt = clock.now();
        metrics.consumerLag.set({ ...labels, partition: String(p) }, part.end - group.committed[p]!);
        attempt = 0;
        this.trim(topic, p);
      } catch (err) {
        attempt++;
        member.health.failedAttempts++;
        member.health.lastError = errorMessage(err);
        metrics.handlerRetries.inc(labels);
        const wait = backoffMs(attempt);
        logger.warn({ err: errorMessage(err), group: labels.group, topic: labels.topic, partition: p, attempt, retryInMs: wait }, 'batch handler failed; will redeliver');
        await sleep(wait, this.stopAll.signal);
      } finally {
        member.inFlight.delete(settled);
      }
    }
  }

  /** True when every subscribed group has committed everything published so far. */
  isIdle(): boolean {
    for (const t of this.topics.values())
      for (const g of t.groups.values()) if (t.partitions.some((part, p) => g.committed[p]! < part.end)) return false;
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
  }
}
