import { setMaxListeners } from 'node:events';
// kafkajs is CommonJS: Node's ESM loader sees only some of its names (not ConfigResourceTypes), so the default export is imported too.
import kafkajs, {
  Kafka,
  Partitioners,
  logLevel as KafkaLogLevel,
  type Admin,
  type Consumer,
  type ISocketFactory,
  type KafkaConfig,
  type Producer,
  type LogEntry,
} from 'kafkajs';
import type { Logger } from '../logger.js';
import type { Clock } from '../clock.js';
import type { Metrics } from '../metrics.js';
import { withRetries } from '../retry.js';
import type { HealthCheck } from '../http/server.js';
import { BatchLostError, BusUnavailableError, errorMessage } from './types.js';
import { BrokerReachability } from './kafka-reachability.js';
import { ensureDurableTopics } from './kafka-topics.js';
import type { Bus, BusMessage, ConsumerHealth, OutgoingMessage, SubscribeOptions, Subscription } from './types.js';

/** Most bytes one fetch takes from a partition: room, with some to spare, for a 2,000-mention batch of enriched mentions (about 720 bytes each in the bench). */
const FETCH_BYTES_PER_PARTITION = 4 * 1024 * 1024;

/**
 * How soon the bus learns that the brokers stopped answering, or answer again (issue #35:
 * a killed broker left requests hanging 35-40 s and /healthz green for two minutes).
 */
const REACHABILITY = {
  /** A metadata request this often while the brokers answer (/healthz red within about this much). */
  upEveryMs: 3_000,
  /** And this often while they do not (publishes resume within about this much of their return). */
  downEveryMs: 1_000,
  /** Longer than a loaded broker takes (on 2 busy cores a metadata request took over 2 s): a false alarm refuses publishes. */
  probeTimeoutMs: 5_000,
  /** A publish unanswered this long has the brokers probed at once: a dead one is then refused, a busy one waited for. */
  slowPublishMs: 1_000,
} as const;

/** kafkajs' warning for every idempotent producer with bounded retries: see getProducer for why they are bounded and safe. */
const BOUNDED_IDEMPOTENT_RETRIES = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  partitions: number;
  /** Of topics the bus creates; unset: three, or every broker when there are fewer (see kafka-topics.ts). */
  replicationFactor?: number;
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
  /** The producer's and the probe's client: few, short retries, since someone waits on their answer. */
  private readonly impatient: Kafka;
  private readonly reachability: BrokerReachability;
  private probeAdmin: Admin | null = null;
  private producer: Producer | null = null;
  private producerReady: Promise<Producer> | null = null;
  /** The publish now sending, settled or not; the next waits for it (see publish). */
  private sending: Promise<void> = Promise.resolve();
  private readonly consumers = new Set<Consumer>();
  private readonly stopping = new AbortController();
  private session: Promise<number> | null = null;

  constructor(private readonly opts: KafkaBusOptions) {
    setMaxListeners(0, this.stopping.signal);
    const log = opts.logger.child({ component: 'kafkajs' });
    const client = (retry: NonNullable<KafkaConfig['retry']>): KafkaConfig => ({
      clientId: opts.clientId,
      brokers: opts.brokers,
      ...(opts.socketFactory ? { socketFactory: opts.socketFactory } : {}),
      logLevel: KafkaLogLevel.WARN,
      retry,
      logCreator:
        () =>
        ({ level, log: entry }: LogEntry) => {
          const { message, ...rest } = entry;
          if (message === BOUNDED_IDEMPOTENT_RETRIES) return;
          log[pinoLevel[level] ?? 'info'](rest, message);
        },
    });
    // Consumers and the admin are patient: nobody waits on them, and they ride out a broker restart.
    this.kafka = new Kafka(client({ retries: 8, initialRetryTime: 200, maxRetryTime: 10_000 }));
    // kafkajs retries a connection inside each retry of a send (the cluster's retries nest in the
    // producer's): with the patient client's, a send to a dead broker took 35-40 s to fail.
    this.impatient = new Kafka(client({ retries: 1, initialRetryTime: 100, maxRetryTime: 500 }));
    this.reachability = new BrokerReachability({
      probe: () => this.probe(),
      upEveryMs: REACHABILITY.upEveryMs,
      downEveryMs: REACHABILITY.downEveryMs,
      probeTimeoutMs: REACHABILITY.probeTimeoutMs,
      logger: opts.logger,
    });
    this.reachability.start();
  }

  /** One metadata request; any error, or no broker answering, rejects. The admin is rebuilt after a failure. */
  private async probe(): Promise<void> {
    const admin = (this.probeAdmin ??= this.impatient.admin());
    try {
      await admin.connect();
      await admin.describeCluster();
    } catch (err) {
      if (this.probeAdmin === admin) this.probeAdmin = null;
      await admin.disconnect().catch(() => undefined);
      throw err;
    }
  }

  /** Red while the brokers cannot be reached: publishes are then refused with 503 at once. */
  health(): HealthCheck {
    return {
      name: 'bus',
      check: () => {
        const { reachable, downSince, lastError } = this.reachability.current;
        return {
          ok: reachable,
          detail: {
            kind: 'kafka',
            brokers: reachable ? 'reachable' : 'unreachable',
            ...(downSince === null ? {} : { unreachable_since: new Date(downSince).toISOString(), last_error: lastError }),
          },
        };
      },
    };
  }

  async ensureTopics(topics: string[]): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await ensureDurableTopics(admin, topics, { partitions: this.opts.partitions, replicationFactor: this.opts.replicationFactor, logger: this.opts.logger });
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
      // Idempotent with acks=all: a send retried after a lost answer is written once, in order
      // (KIP-98 asks for one request in flight per connection). The retries are few and short,
      // so whoever waits (an HTTP client, a consumer's batch loop with its own back-off) hears
      // within seconds that the brokers are away. kafkajs warns that bounded retries may break
      // exactly-once: a send given up on rolls its sequence numbers back, and the next send
      // could reuse them. So a producer that failed a send is replaced (dropProducer): the new
      // one has a new producer id and sequences of its own.
      const producer = this.impatient.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        allowAutoTopicCreation: false,
        idempotent: true,
        maxInFlightRequests: 1,
        retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 },
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

  /** Forgets a producer whose send failed (see getProducer); sends still on it fail and are answered 503. */
  private dropProducer(producer: Producer): void {
    if (this.producer !== producer) return;
    this.producer = null;
    this.producerReady = null;
    // Once more after the send on it has settled: kafkajs' retries reconnect a producer disconnected mid-send.
    const inFlight = this.sending;
    void producer
      .disconnect()
      .catch(() => undefined)
      .then(() => inFlight)
      .then(() => producer.disconnect())
      .catch(() => undefined);
  }

  /**
   * Sends in requests of at most `maxRequestBytes`, one after the other (so keyed order
   * holds): the broker refuses a record batch over message.max.bytes (1 MiB by default),
   * and a classifier batch of a few thousand enriched mentions is larger than that.
   * Refused at once (BusUnavailableError) while the brokers are known to be unreachable,
   * and as soon as they are found so while the send is in flight.
   */
  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const known = this.reachability.current;
    if (!known.reachable)
      throw new BusUnavailableError(
        `the Kafka brokers cannot be reached (none has answered since ${new Date(known.downSince ?? Date.now()).toISOString()}: ${known.lastError})`,
      );
    let sent = 0;
    let started = false;
    let unsubscribe = () => {};
    const stoppedAnswering = new Promise<never>((_, reject) => {
      unsubscribe = this.reachability.onDown((reason) =>
        reject(new BusUnavailableError(`the Kafka brokers stopped answering during the publish (${reason})`, started)),
      );
    });
    // One publish at a time on the producer, replaced before the next when it failed: kafkajs
    // rolls a failed request's sequence numbers back, so a send of another publish slipped in
    // between would reuse them, and if the broker had written the failed one it would take the
    // other for a duplicate and drop it, acknowledged. kafkajs sends one request per broker at a
    // time on an idempotent producer anyway, so little is lost.
    const turn = this.sending.then(async () => {
      const producer = await this.getProducer();
      started = true;
      try {
        await this.send(producer, topic, messages, () => sent++);
      } catch (err) {
        this.dropProducer(producer);
        throw err;
      }
    });
    this.sending = turn.catch(() => undefined);
    const slow = setTimeout(() => void this.reachability.probeNow(), REACHABILITY.slowPublishMs);
    try {
      await Promise.race([turn, stoppedAnswering]);
    } catch (err) {
      if (err instanceof BusUnavailableError) {
        // Found unreachable mid-send: the send still running on it is cut short, so the next publish does not wait on it.
        if (this.producer) this.dropProducer(this.producer);
        throw err;
      }
      const someKept = sent > 0 || started;
      if (producerOutOfStep(err)) throw new BusUnavailableError(`the Kafka producer was replaced after a failed send (${errorMessage(err)})`, someKept);
      if (!brokersAway(err)) throw err;
      this.reachability.markDown(err);
      throw new BusUnavailableError(`the Kafka brokers cannot be reached (${errorMessage(err)})`, someKept);
    } finally {
      clearTimeout(slow);
      unsubscribe();
    }
  }

  private async send(producer: Producer, topic: string, messages: OutgoingMessage[], onSent: () => void): Promise<void> {
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
    this.reachability.stop();
    await this.probeAdmin?.disconnect().catch(() => undefined);
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    if (this.producer) await this.producer.disconnect();
  }
}

type ErrorChain = { name?: string; type?: string; retriable?: boolean; originalError?: unknown; cause?: unknown } | undefined;

/** Whether `err`, or an error it wraps (kafkajs wraps the last one in KafkaJSNumberOfRetriesExceeded), is one `is` picks. */
function anyInChain(err: unknown, is: (e: NonNullable<ErrorChain>) => boolean): boolean {
  const seen = new Set<unknown>();
  for (let e = err as ErrorChain; e && !seen.has(e); e = (e.originalError ?? e.cause) as ErrorChain) {
    seen.add(e);
    if (is(e)) return true;
  }
  return false;
}

const AWAY = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSTimeout',
  'KafkaJSLockTimeout',
]);

/** Errors that mean the brokers cannot be reached now (not that the request was wrong). */
function brokersAway(err: unknown): boolean {
  return anyInChain(err, (e) => e.retriable === true || AWAY.has(e.name ?? ''));
}

/**
 * The broker refused the idempotent producer's sequence numbers or id: after a send that
 * failed (another publish's, concurrently), kafkajs' numbering is out of step with the
 * broker's. Nothing of that request was written, and the producer is replaced: a retry is safe.
 */
const OUT_OF_STEP = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING']);
function producerOutOfStep(err: unknown): boolean {
  return anyInChain(err, (e) => OUT_OF_STEP.has(e.type ?? ''));
}
