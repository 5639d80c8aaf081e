import { NotifierQueue, type Notifier } from '@earshot/detector';
import { NotificationOutbox, type Alert, type Logger, type Metrics } from '@earshot/shared';
import { reachedChannels, type AlertRouter, type Decision } from './route-alert.js';

/**
 * Alert versions routed to channels and delivered: each channel has its own queue (retries
 * with back-off, the persistent outbox), so a failing channel does not hold back the
 * others. Work on one channel runs one piece at a time, and a version the outbox says was
 * sent is not sent again: once per alert version and channel, across restarts (restore())
 * and the bus delivering a message twice.
 */
export class AlertDispatcher {
  private readonly queues: Map<string, NotifierQueue>;
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly router: AlertRouter,
    channels: Map<string, Notifier>,
    private readonly deps: { logger: Logger; metrics: Metrics; outbox?: NotificationOutbox; now: () => number; retryBaseMs?: number },
  ) {
    this.queues = new Map(
      [...channels].map(([name, notifier]) => [
        name,
        new NotifierQueue([notifier], { logger: deps.logger, metrics: deps.metrics, outbox: deps.outbox, now: deps.now }, 4, deps.retryBaseMs),
      ]),
    );
  }

  /** Deliveries that failed and wait for their next attempt, over all channels. */
  get queued(): number {
    return [...this.queues.values()].reduce((n, q) => n + q.queued, 0);
  }

  /** Takes back the deliveries a previous process left pending in the outbox. */
  async restore(): Promise<void> {
    for (const q of this.queues.values()) await q.restore();
  }

  /** Tries the failed deliveries again. */
  async retry(): Promise<void> {
    await Promise.all([...this.queues.keys()].map((c) => this.serial(c, () => this.flush(c))));
  }

  /** Routes each alert version and delivers it to the channels it reaches; returns every route's decision per alert. */
  async dispatch(alerts: Alert[]): Promise<{ alert: Alert; decisions: Decision[]; channels: string[] }[]> {
    const out = [];
    for (const alert of alerts) {
      const now = this.deps.now();
      const decisions = this.router.decide(alert, now);
      const channels = await this.paging(alert, reachedChannels(decisions));
      // A quiet version that goes nowhere is no send, so it starts no route's cooldown.
      if (channels.length) this.router.commit(alert, decisions, now);
      const held = decisions.filter((d) => d.outcome === 'digest').map((d) => `${d.route}: ${d.reason}`);
      this.deps.logger.info({ alert: alert.id, status: alert.status, channels, ...(held.length ? { digest_only: held } : {}) }, 'alert routed');
      await Promise.all(channels.map((c) => this.serial(c, () => this.deliverOnce(c, alert))));
      out.push({ alert, decisions, channels });
    }
    return out;
  }

  /**
   * One page per incident and channel: a `quiet` version (an incident's later alert, an
   * update that is no worse) goes only to a channel that has nothing of its incident yet
   * (its routes did not match the incident's earlier pages, e.g. a route for complaint
   * surges when a viral post opened the incident). The outbox remembers across restarts.
   */
  private async paging(alert: Alert, channels: string[]): Promise<string[]> {
    if (!alert.quiet || !channels.length) return channels;
    if (!this.deps.outbox || !alert.incident_id) return [];
    const reached = await this.deps.outbox.channelsReached(alert.incident_id);
    return channels.filter((c) => !reached.has(c));
  }

  private async flush(channel: string): Promise<void> {
    const q = this.queues.get(channel)!;
    if (q.queued > 0) await q.deliver([]);
  }

  private async deliverOnce(channel: string, alert: Alert): Promise<void> {
    // Sent already, or failed and waiting for retry(): either way, not enqueued again.
    const recorded = await this.deps.outbox?.recordedKeys([{ alert, notifier: channel }]);
    if (recorded?.has(NotificationOutbox.key(alert, channel))) return;
    await this.queues.get(channel)!.deliver([alert]);
  }

  /** Runs `work` after everything already queued for the channel. */
  private serial(channel: string, work: () => Promise<void>): Promise<void> {
    const next = (this.chains.get(channel) ?? Promise.resolve()).then(work, work);
    this.chains.set(
      channel,
      next.catch(() => undefined),
    );
    return next;
  }
}
