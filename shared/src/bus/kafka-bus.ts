import { setMaxListeners } from 'node:events';
// kafkajs is CommonJS: Node's ESM loader sees only some of its names (not ConfigResourceTypes), so the default export is imported too.
import kafkajs, { Kafka, Partitioners, logLevel as KafkaLogLevel, type Consumer, type ISocketFactory, type Producer, type LogEntry } from 'kafkajs';
import type { Logger } from '../logger.js';
import type { Clock } from '../clock.js';
import type { Metrics } from '../metrics.js';
import { withRetries } from '../retry.js';
import { BatchLostError, BusUnavailableError, errorMessage } from './types.js';
import type { Bus, BusMessage, ConsumerHealth, OutgoingMessage, SubscribeOptions, Subscription } from './types.js';

/** Most bytes one fetch takes from a partition: room, with some to spare, for a 2,000-mention batch of enriched mentions (about 720 bytes each in the bench). */
const FETCH_BYTES_PER_PARTITION = 4 * 1024 * 1024;

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  partitions: number;
  replicationFactor: number;
  /** Largest produce request; keep it under the broker's message.max.bytes. */
  maxRequestBytes?: number;
  /**
   * How long the broker waits for a silent member before giving its partitions to another:
   * what a killed consumer costs before its partitions are read again. The handler is
   * heartbeated while it runs, so a slow insert does not count as silence.
   */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How connections to the brokers are opened (kafkajs' own by default); fault tests cut them here. */
  socketFactory?: ISocketFactory;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
}

const pinoLevel: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [KafkaLogLevel.ERROR]: 'error',
  [KafkaLogLevel.WARN]: 'warn',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

/**
 * The bus on Apache Kafka through kafkajs. Offsets are committed by hand, highest
 * handled + 1 per partition, only after the handler resolved; a failing handler is
 * retried with back-off (heartbeating meanwhile) so nothing past it is committed.
 */
export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer: Producer | null = null;
  private producerReady: Promise<Producer> | null = null;
  private readonly consumers = new Set<Consumer>();
  private readonly stopping = new AbortController();
  private session: Promise<number> | null = null;

  constructor(private readonly opts: KafkaBusOptions) {
    setMaxListeners(0, this.stopping.signal);
    const log = opts.logger.child({ component: 'kafkajs' });
    this.kafka = new Kafka({
      clientId: opts.clientId,
      brokers: opts.brokers,
      ...(opts.socketFactory ? { socketFactory: opts.socketFactory } : {}),
      logLevel: KafkaLogLevel.WARN,
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 },
      logCreator:
        () =>
        ({ level, log: entry }: LogEntry) => {
          const { message, ...rest } = entry;
          log[pinoLevel[level] ?? 'info'](rest, message);
        },
    });
  }

  async ensureTopics(topics: string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((t) => !existing.has(t));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: this.opts.partitions,
            replicationFactor: this.opts.replicationFactor,
          })),
        });
        this.opts.logger.info({ topics: missing, partitions: this.opts.partitions }, 'created Kafka topics');
      }
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * The group session to ask for: the configured one, within what the brokers allow
   * (group.min/max.session.timeout.ms; a stock broker's minimum is 6 s). A session outside
   * that range makes every join fail, so it is moved inside and the log says why.
   */
  private sessionTimeoutMs(): Promise<number> {
    const wanted = this.opts.sessionTimeoutMs ?? 10_000;
    this.session ??= (async () => {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
        const { brokers } = await admin.describeCluster();
        const names = ['group.min.session.timeout.ms', 'group.max.session.timeout.ms'];
        const { resources } = await admin.describeConfigs({
          includeSynonyms: false,
          resources: brokers.map((b) => ({ type: kafkajs.ConfigResourceTypes.BROKER, name: String(b.nodeId), configNames: names })),
        });
        const values = (name: string) =>
          resources.flatMap((r) => r.configEntries.filter((e) => e.configName === name).map((e) => Number(e.configValue))).filter(Number.isFinite);
        const min = Math.max(0, ...values(names[0]!));
        const max = Math.min(Number.MAX_SAFE_INTEGER, ...values(names[1]!));
        const used = Math.min(Math.max(wanted, min), max);
        // Raised to a stock broker's 6 s minimum is expected (the default is shorter); clamped to its maximum is a misconfiguration.
        if (used !== wanted)
          this.opts.logger[used > wanted ? 'info' : 'warn'](
            { wantedMs: wanted, usedMs: used, brokerMinMs: min, brokerMaxMs: max },
            "EARSHOT_KAFKA_SESSION_SECONDS is outside the brokers' group.min/max.session.timeout.ms: using the nearest they allow (lower the brokers' minimum for a faster takeover of a dead member)",
          );
        return used;
      } catch (err) {
        // Not allowed to read broker configs (ACLs): ask for the configured session; a refusal shows when joining.
        this.opts.logger.debug({ err: errorMessage(err) }, "could not read the brokers' session limits");
        return wanted;
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    })();
    return this.session;
  }

  private getProducer(): Promise<Producer> {
    this.producerReady ??= (async () => {
      // Few, short retries: a caller waiting on a publish (an HTTP client, a consumer's batch
      // loop with its own back-off) should hear within seconds that the brokers are away.
      const producer = this.kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        retry: { retries: 4, initialRetryTime: 200, maxRetryTime: 2_000 },
      });
      try {
        await producer.connect();
      } catch (err) {
        this.producerReady = null; // the next publish tries again rather than failing for ever
        throw err;
      }
      this.producer = producer;
      return producer;
    })();
    return this.producerReady;
  }

  /**
   * Sends in requests of at most `maxRequestBytes`, one after the other (so keyed order
   * holds): the broker refuses a record batch over message.max.bytes (1 MiB by default),
   * and a classifier batch of a few thousand enriched mentions is larger than that.
   */
  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    let sent = 0;
    try {
      await this.send(topic, messages, () => sent++);
    } catch (err) {
      if (!brokersAway(err)) throw err;
      throw new BusUnavailableError(`the Kafka brokers cannot be reached (${errorMessage(err)})`, sent > 0);
    }
  }

  private async send(topic: string, messages: OutgoingMessage[], onSent: () => void): Promise<void> {
    const producer = await this.getProducer();
    const limit = this.opts.maxRequestBytes ?? 768 * 1024;
    let chunk: { key: string | null; value: Buffer | string }[] = [];
    let bytes = 0;
    for (const m of messages) {
      const size = (m.key?.length ?? 0) + (typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.length) + 64;
      if (chunk.length > 0 && bytes + size > limit) {
        await producer.send({ topic, acks: -1, messages: chunk });
        onSent();
        chunk = [];
        bytes = 0;
      }
      chunk.push({ key: m.key, value: m.value });
      bytes += size;
    }
    await producer.send({ topic, acks: -1, messages: chunk });
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const health: ConsumerHealth = {
      group: options.group,
      topic: options.topic,
      busySince: null,
      lastCommitAt: null,
      failedAttempts: 0,
      lastError: null,
      rejoining: false,
    };
    let stopped = false;
    // A consumer kafkajs gave up on (it will not restart itself) is replaced by a new member
    // of the same group, with back-off; health says so until it has joined.
    const rejoin = (crashed: Consumer, err: unknown) => {
      if (stopped || this.stopping.signal.aborted) return;
      health.lastError = `consumer crashed, rejoining the group: ${errorMessage(err)}`;
      health.rejoining = true;
      this.consumers.delete(crashed);
      current = (async () => {
        await crashed.disconnect().catch(() => undefined);
        // Until it has joined, or the bus stops (then there is nothing to rejoin).
        return withRetries(() => this.join(options, health, rejoin), {
          attempts: Infinity,
          baseMs: 200,
          capMs: 10_000,
          signal: this.stopping.signal,
          onError: (e) => {
            health.lastError = `rejoining the group failed: ${errorMessage(e)}`;
          },
        });
      })();
    };
    let current = this.join(options, health, rejoin);
    await current;
    return {
      health: () => ({ ...health }),
      stop: async () => {
        stopped = true;
        const c = await current.catch(() => null);
        if (!c || !this.consumers.delete(c)) return;
        await c.disconnect();
      },
    };
  }

  /** One member of the group: connects, subscribes and runs the batch loop. */
  private async join(options: SubscribeOptions, health: ConsumerHealth, onGiveUp: (c: Consumer, err: unknown) => void): Promise<Consumer> {
    const { logger, metrics, clock } = this.opts;
    const sessionTimeout = await this.sessionTimeoutMs();
    // A third of the session at most (Kafka's advice), so a short session is not lost between beats.
    const heartbeatEvery = this.opts.heartbeatIntervalMs ?? Math.min(1_000, Math.floor(sessionTimeout / 3));
    const consumer = this.kafka.consumer({
      groupId: options.group,
      sessionTimeout,
      heartbeatInterval: heartbeatEvery,
      maxWaitTimeInMs: Math.max(options.maxWaitMs, 250),
      // Room in one fetch for a whole batch of the handler's (with kafkajs' default, 1 MB, the
      // bench's fetches brought 900-1,100 enriched mentions a partition): the writer's blocks are
      // then a batch from every partition, not a fetch's worth, and ClickHouse writes fewer parts.
      maxBytesPerPartition: FETCH_BYTES_PER_PARTITION,
      maxBytes: FETCH_BYTES_PER_PARTITION * Math.max(1, this.opts.partitions),
      allowAutoTopicCreation: false,
    });
    this.consumers.add(consumer);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      logger.error({ err: errorMessage(payload.error), group: options.group, topic: options.topic, restart: payload.restart }, 'Kafka consumer crashed');
      if (!payload.restart) onGiveUp(consumer, payload.error);
    });
    consumer.on(consumer.events.GROUP_JOIN, () => {
      health.rejoining = false;
    });
    const labels = { group: options.group, topic: options.topic };
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every partition's batch at once: the writer gathers the batches in hand into one
      // insert, so the more it holds together, the fewer (costly) parts ClickHouse writes.
      partitionsConsumedConcurrently: Math.max(2, this.opts.partitions),
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const all = batch.messages;
        for (let i = 0; i < all.length; i += options.maxBatch) {
          if (!isRunning() || isStale()) return;
          const chunk = all.slice(i, i + options.maxBatch);
          const messages: BusMessage[] = chunk.map((m) => ({
            topic: batch.topic,
            partition: batch.partition,
            offset: m.offset,
            key: m.key ? m.key.toString() : null,
            value: m.value ?? Buffer.alloc(0),
          }));
          metrics.batchSize.observe(labels, messages.length);
          metrics.batchFill.observe(labels, messages.length / options.maxBatch);
          health.busySince ??= clock.now();
          // kafkajs heartbeats only when asked: keep the membership alive while the handler
          // runs, or a slow insert longer than the session gets this member thrown out.
          const beat = setInterval(() => void heartbeat().catch(() => undefined), heartbeatEvery);
          // Set when the handler could not confirm the partition is still ours: stop, commit nothing.
          let lost = false;
          const takenAway = () => !isRunning() || isStale();
          // Why the batch may not be ours any more, or null while it is. kafkajs sends a heartbeat only if
          // none succeeded within the interval; an answered one means the group still counts this member.
          const notOurs = async (): Promise<string | null> => {
            if (takenAway()) return 'the partition was taken away';
            try {
              await heartbeat();
            } catch (err) {
              return errorMessage(err);
            }
            return takenAway() ? 'the partition was taken away' : null;
          };
          const control = {
            confirmOwnership: async () => {
              const reason = await notOurs();
              if (reason === null) return;
              lost = true;
              throw new BatchLostError(`cannot confirm ${batch.topic}[${batch.partition}] is still this member's: ${reason}`);
            },
          };
          try {
            try {
              await withRetries(() => options.handler(messages, control), {
                attempts: Infinity,
                baseMs: 200,
                capMs: 10_000,
                signal: this.stopping.signal,
                // The partition was taken away or the consumer is stopping: the batch is not ours to commit.
                stop: () => lost || takenAway(),
                onError: (err, { attempt, waitMs }) => {
                  health.failedAttempts++;
                  health.lastError = errorMessage(err);
                  metrics.handlerRetries.inc(labels);
                  logger.warn(
                    { err: errorMessage(err), ...labels, partition: batch.partition, attempt, retryInMs: waitMs },
                    'batch handler failed; will retry',
                  );
                },
              });
            } catch {
              if (lost)
                logger.warn(
                  { ...labels, partition: batch.partition },
                  'batch left unwritten and uncommitted: this member could not confirm it still holds the partition',
                );
              return;
            }
          } finally {
            clearInterval(beat);
          }
          const last = chunk[chunk.length - 1]!.offset;
          resolveOffset(last);
          // commitOffsetsIfNecessary() is a no-op without autoCommit: commit explicitly, next offset to read.
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() }]);
          health.busySince = null;
          health.lastCommitAt = clock.now();
          await heartbeat();
        }
        const lag = Number(batch.offsetLagLow());
        if (Number.isFinite(lag)) metrics.consumerLag.set({ ...labels, partition: String(batch.partition) }, Math.max(0, lag));
      },
    });
    return consumer;
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    if (this.producer) await this.producer.disconnect();
  }
}

/** Errors that mean the brokers cannot be reached now (not that the request was wrong). */
function brokersAway(err: unknown): boolean {
  const seen = new Set<unknown>();
  for (let e = err as { name?: string; retriable?: boolean; originalError?: unknown; cause?: unknown } | undefined; e && !seen.has(e);) {
    seen.add(e);
    if (
      e.retriable === true ||
      [
        'KafkaJSConnectionError',
        'KafkaJSConnectionClosedError',
        'KafkaJSRequestTimeoutError',
        'KafkaJSBrokerNotFound',
        'KafkaJSTimeout',
        'KafkaJSLockTimeout',
      ].includes(e.name ?? '')
    )
      return true;
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return false;
}
