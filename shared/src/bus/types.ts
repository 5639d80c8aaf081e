/** What a producer hands the bus. Messages with the same key keep their order. */
export interface OutgoingMessage {
  key: string | null;
  value: Buffer | string;
  /**
   * The value before it was encoded, already valid against `schema`. The in-process bus
   * hands it to consumers with the bytes: one decoding with that same schema takes it as
   * is, since nothing crossed a process boundary (validate at the edges, trust inside).
   * Kafka, and the in-process bus's files read back after a restart, carry bytes only.
   */
  decoded?: PublishedValue;
}

export interface PublishedValue {
  schema: object;
  value: unknown;
}

/** What a consumer receives: Kafka's coordinates, whichever bus carried it. */
export interface BusMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer;
  /** In one process only: what the publisher encoded (see OutgoingMessage.decoded). */
  decoded?: PublishedValue;
}

/**
 * What a handler may ask of the bus about the batch it holds. A consumer cut off from the
 * broker, or frozen past its session, goes on running while another member takes its
 * partitions and gets the same batch (a zombie); a write that must not happen twice asks
 * first whether the batch is still this member's.
 */
export interface BatchControl {
  /**
   * Resolves when this member held the batch's partition a moment ago (Kafka: a heartbeat
   * the group coordinator answered within the heartbeat interval, one sent now if none
   * was); rejects with BatchLostError when it does not or cannot tell. The bus then
   * neither retries nor commits the batch.
   */
  confirmOwnership(): Promise<void>;
}

export type BatchHandler = (messages: BusMessage[], batch: BatchControl) => Promise<void>;

export interface SubscribeOptions {
  /** Consumer group: members of one group share the partitions, each group sees every message. */
  group: string;
  topic: string;
  handler: BatchHandler;
  /** Most messages handed to the handler at once. */
  maxBatch: number;
  /** How long to wait for a fuller batch when fewer than maxBatch are waiting. */
  maxWaitMs: number;
}

export interface ConsumerHealth {
  group: string;
  topic: string;
  /** When the batch now in the handler was first handed over (ms), or null when idle. */
  busySince: number | null;
  lastCommitAt: number | null;
  failedAttempts: number;
  lastError: string | null;
  /** The consumer crashed and is joining its group again (Kafka only). */
  rejoining?: boolean;
}

export interface Subscription {
  health(): ConsumerHealth;
  /** Stops taking batches, lets the one in flight finish (and commit), then leaves the group. */
  stop(): Promise<void>;
}

/**
 * The one contract both transports keep: consumer groups, keyed ordering within a
 * partition, at-least-once delivery (a batch is committed only after its handler
 * resolves; a handler that throws gets the same batch again, after a back-off).
 */
export interface Bus {
  readonly kind: 'memory' | 'kafka';
  ensureTopics(topics: string[]): Promise<void>;
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /**
   * Erases, from what the bus itself keeps (the embedded bus's files), every record whose
   * value `erase` picks: consumed ones are dropped, the rest keep their offset with an
   * empty value (a tombstone, skipped by consumers). Resolves with how many were erased.
   * Absent where the bus's storage is not Earshot's (Kafka: the cluster's retention).
   */
  forget?(erase: (value: Buffer) => boolean): Promise<number>;
  close(): Promise<void>;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The batch's partition may belong to another member now: whatever the handler was about to write, it must not. */
export class BatchLostError extends Error {
  override readonly name = 'BatchLostError';
}

/**
 * The bus could not take what it was given (the disk refused the write, the Kafka brokers
 * cannot be reached). `someKept`: part of it may have been kept before the failure, so a
 * retry of the whole may repeat some of it, which the writer stores once by mention key.
 */
export class BusUnavailableError extends Error {
  override readonly name = 'BusUnavailableError';
  constructor(
    message: string,
    readonly someKept = false,
  ) {
    super(message);
  }
}
