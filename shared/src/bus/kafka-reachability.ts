import type { Logger } from '../logger.js';
import { errorMessage } from './types.js';

export interface ReachabilityOptions {
  /** One cheap request to the cluster (a metadata request); rejects when no broker answers. */
  probe: () => Promise<void>;
  /** Between probes while the brokers answer: how late /healthz may learn that they stopped. */
  upEveryMs: number;
  /** Between probes while they do not: how late publishes resume after they are back. */
  downEveryMs: number;
  /** A probe not answered by then counts as failed (a host that drops packets never refuses). */
  probeTimeoutMs: number;
  logger: Logger;
}

export interface ReachabilityState {
  reachable: boolean;
  /** Wall time (ms) since when the brokers have not answered, or null while they do. */
  downSince: number | null;
  lastError: string | null;
}

/**
 * Whether the Kafka brokers can be reached now, known without waiting on kafkajs' own
 * retries: a publish asks before sending and answers 503 at once while they cannot, and
 * /healthz turns red. A failed produce marks them down; a probe on a timer marks them down
 * when nothing is produced, and up again once one answers. Wall time throughout: a
 * replay's clock says nothing about the network.
 */
export class BrokerReachability {
  private state: ReachabilityState = { reachable: true, downSince: null, lastError: null };
  private timer: NodeJS.Timeout | null = null;
  private probing: Promise<void> | null = null;
  private stopped = false;
  private readonly downListeners = new Set<(reason: string) => void>();

  constructor(private readonly opts: ReachabilityOptions) {}

  start(): void {
    if (this.timer || this.stopped) return;
    this.schedule(this.opts.upEveryMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get current(): ReachabilityState {
    return { ...this.state };
  }

  /** A produce failed because no broker answered: refuse publishes until a probe gets an answer, and probe now. */
  markDown(err: unknown): void {
    this.setDown(errorMessage(err));
    void this.probeNow();
  }

  /**
   * Calls `listener` when the brokers are found unreachable (a publish in flight then answers
   * at once rather than after kafkajs' request timeout); the returned function unsubscribes.
   */
  onDown(listener: (reason: string) => void): () => void {
    this.downListeners.add(listener);
    return () => this.downListeners.delete(listener);
  }

  /** One probe now (joined with one already running); resolves once the state is updated. */
  probeNow(): Promise<void> {
    this.probing ??= (async () => {
      let deadline: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          this.opts.probe(),
          new Promise<never>((_, reject) => {
            deadline = setTimeout(() => reject(new Error(`no broker answered within ${this.opts.probeTimeoutMs} ms`)), this.opts.probeTimeoutMs);
          }),
        ]);
        this.setUp();
      } catch (err) {
        this.setDown(errorMessage(err));
      } finally {
        clearTimeout(deadline);
        this.probing = null;
      }
    })();
    return this.probing;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(async () => {
      this.timer = null;
      await this.probeNow();
      if (!this.timer) this.schedule(this.state.reachable ? this.opts.upEveryMs : this.opts.downEveryMs);
    }, ms);
    // The probe keeps no process alive on its own.
    this.timer.unref();
  }

  private setDown(reason: string): void {
    if (this.stopped) return;
    const wasUp = this.state.reachable;
    this.state = { reachable: false, downSince: this.state.downSince ?? Date.now(), lastError: reason };
    if (!wasUp) return;
    this.opts.logger.error({ err: reason }, 'the Kafka brokers cannot be reached: publishes are refused (503) and /healthz is red until one answers');
    // Probe more often while down, so publishes resume soon after the brokers are back (a probe
    // running now schedules the next itself).
    if (this.timer) {
      clearTimeout(this.timer);
      this.schedule(this.opts.downEveryMs);
    }
    for (const l of [...this.downListeners]) l(reason);
  }

  private setUp(): void {
    if (this.state.reachable) return;
    this.opts.logger.info({ downForMs: Date.now() - (this.state.downSince ?? Date.now()) }, 'the Kafka brokers answer again');
    this.state = { reachable: true, downSince: null, lastError: null };
  }
}
