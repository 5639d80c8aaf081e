import cron, { type ScheduledTask } from 'node-cron';
import { DIGEST_PERIODS, buildDigest, type Digest, type DigestPeriod } from '@earshot/api';
import {
  DigestOutbox,
  MentionRollups,
  errorMessage,
  withRetries,
  type ClickHouseClient,
  type DigestDelivery,
  type Logger,
  type Metrics,
} from '@earshot/shared';
import type { DigestSender } from './digest-channels.js';
import { lastWholePeriod } from './digest-period.js';
import { DIGEST_KIND, type RoutesFile } from './routes-file.js';

const PERIODS = Object.keys(DIGEST_PERIODS) as DigestPeriod[];

/**
 * Daily and weekly digests on the routes file's node-cron schedule: each route whose kinds
 * include `digest` gets one per brand it names (every stored brand when it names none) on
 * each of its channels, covering the last whole day or week in the schedule's time zone.
 * Once-only per brand, period, period start and channel through the digest outbox, across
 * restarts and however often the schedule fires; one that fails is tried again (retry()).
 */
export class DigestScheduler {
  private readonly tasks: ScheduledTask[] = [];
  private busy: Promise<unknown> | null = null;

  constructor(
    private readonly routes: RoutesFile,
    private readonly senders: Map<string, DigestSender>,
    private readonly deps: {
      client: ClickHouseClient;
      logger: Logger;
      metrics: Metrics;
      now: () => number;
      retryBaseMs?: number;
      /** What a digest says (buildDigest on the store by default). */
      build?: (q: { brand: string; period: DigestPeriod; from: number; to: number }) => Promise<Digest>;
    },
  ) {}

  private get outbox() {
    return new DigestOutbox(this.deps.client);
  }

  get timeZone(): string {
    return this.routes.digests.timezone ?? this.routes.timezone;
  }

  /** Whether any route takes digests. */
  get enabled(): boolean {
    return this.senders.size > 0;
  }

  /** Every digest due for `period` at `now`: per digest route, its brands times its channels. */
  async due(period: DigestPeriod, now: number): Promise<DigestDelivery[]> {
    const { start, end } = lastWholePeriod(period, now, this.timeZone);
    let stored: string[] | undefined;
    const out = new Map<string, DigestDelivery>();
    for (const route of this.routes.routes.filter((r) => r.match.kinds?.includes(DIGEST_KIND))) {
      const brands = route.match.brands ?? (stored ??= (await new MentionRollups(this.deps.client).brands(0)).map((b) => b.brand));
      for (const brand of brands)
        for (const channel of route.channels.filter((c) => this.senders.has(c))) {
          const d = { channel, brand, period, start, end };
          out.set(DigestOutbox.key(d), d);
        }
    }
    return [...out.values()];
  }

  /** Sends the digests due for `period` at `now` that no process has sent; returns how many it sent. */
  run(period: DigestPeriod, now = this.deps.now()): Promise<number> {
    return this.exclusive(async () => {
      const due = await this.due(period, now);
      const recorded = await this.outbox.statuses(due);
      const todo = due.filter((d) => recorded.get(DigestOutbox.key(d))?.status !== 'sent');
      this.deps.logger.info({ period, due: due.length, already_sent: due.length - todo.length }, 'digests due');
      return this.send(todo.map((d) => ({ ...d, attempts: recorded.get(DigestOutbox.key(d))?.attempts ?? 0 })));
    });
  }

  /** Tries the digests that failed (or that a stopped process left) again. */
  retry(): Promise<number> {
    return this.exclusive(async () => this.send((await this.outbox.pending()).filter((d) => this.senders.has(d.channel))));
  }

  /** Schedules the daily and weekly runs (nothing when no route takes digests). */
  start(): void {
    if (!this.enabled) return;
    for (const period of PERIODS)
      this.tasks.push(
        cron.schedule(
          this.routes.digests[period],
          () => {
            this.run(period).catch((err) => this.deps.logger.error({ period, err: errorMessage(err) }, 'digest run failed'));
          },
          { timezone: this.timeZone, noOverlap: true, name: `digest-${period}` },
        ),
      );
    this.deps.logger.info({ ...this.routes.digests, timezone: this.timeZone, channels: [...this.senders.keys()] }, 'digests scheduled');
  }

  async stop(): Promise<void> {
    for (const t of this.tasks.splice(0)) await t.stop();
    await this.busy?.catch(() => undefined);
  }

  /** One run at a time: a tick that finds one going waits for it, then finds its digests sent. */
  private async exclusive<T>(work: () => Promise<T>): Promise<T> {
    while (this.busy) await this.busy.catch(() => undefined);
    const run = work();
    this.busy = run;
    try {
      return await run;
    } finally {
      this.busy = null;
    }
  }

  private async send(items: (DigestDelivery & { attempts: number })[]): Promise<number> {
    const built = new Map<string, Promise<Digest>>();
    const build = this.deps.build ?? ((q) => buildDigest(this.deps.client, q));
    let sent = 0;
    for (const item of items) {
      const key = DigestOutbox.key(item);
      // Recorded before the first attempt: a process that dies mid-send leaves it pending.
      if (item.attempts === 0) await this.outbox.record(item, { status: 'pending', attempts: 0 }, this.deps.now());
      const id = `${item.brand}\u0000${item.period}\u0000${item.start}`;
      let attempts = item.attempts;
      let error = '';
      try {
        const digest = await (built.get(id) ??
          built.set(id, build({ brand: item.brand, period: item.period as DigestPeriod, from: item.start, to: item.end })).get(id)!);
        await withRetries(
          async () => {
            attempts++;
            await this.senders.get(item.channel)!.send(digest, key);
          },
          {
            attempts: 4,
            baseMs: 2 * (this.deps.retryBaseMs ?? 250),
            capMs: 5_000,
            onError: (err, { attempt }) => {
              error = errorMessage(err);
              this.deps.metrics.notifyFailures.inc({ notifier: item.channel });
              this.deps.logger.warn({ channel: item.channel, brand: item.brand, period: item.period, attempt, err: error }, 'digest delivery failed');
            },
          },
        );
      } catch (err) {
        await this.outbox.record(item, { status: 'pending', attempts, error: error || errorMessage(err) }, this.deps.now());
        continue;
      }
      await this.outbox.record(item, { status: 'sent', attempts }, this.deps.now());
      this.deps.logger.info({ channel: item.channel, brand: item.brand, period: item.period, from: new Date(item.start).toISOString() }, 'digest sent');
      sent++;
    }
    return sent;
  }
}
