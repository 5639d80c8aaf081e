import cron from 'node-cron';
import {
  MAX_TEXT_CHARS,
  backoffMs,
  engagementTopic,
  topicMessage,
  sleep,
  type Bus,
  type Clock,
  type DeadLetters,
  type EngagementUpdate,
  type HealthCheck,
  type Logger,
  type Mention,
  type Metrics,
} from '@earshot/shared';
import type { Ingestor } from '../ingestor.js';
import type { Checkpoint, CheckpointStore } from './checkpoints.js';
import type { SweepPlan } from './define.js';
import type { StoredMentions } from '@earshot/shared';
import { RateLimitedError, type HttpClient } from './http.js';
import { fitText } from './text.js';
import type { Connector, ConnectorContext, Harvest, RecentMention } from './types.js';

/** One configured connector, built and ready to run. */
export interface RunnableConnector {
  id: string;
  type: string;
  brand: string;
  connector: Connector;
  http: HttpClient;
  schedule: string;
  refresh: { schedule: string; hours: number } | null;
  /** The re-check of its stored mentions over their whole life (Reddit's deletions); null for none. */
  sweep?: SweepPlan | null;
  owned: boolean;
  /** Items it may read per calendar month (UTC); unlimited when absent. */
  monthlyReadBudget?: number;
}

export interface RunnerDeps {
  connectors: RunnableConnector[];
  checkpoints: CheckpointStore;
  ingestor: Ingestor;
  deadLetters: DeadLetters;
  bus: Bus;
  engagementTopicName: string;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  matches: (m: Mention) => boolean;
  /** Only the leader among ingest replicas polls and streams. */
  lease?: { isLeader(now: number): Promise<boolean> };
  /** How often a connected stream renews the lease (well inside the lease's 3-minute life). */
  leaseRenewMs?: number;
  /** Back-off after failures: first step and cap. */
  backoff: { baseMs: number; maxMs: number };
  random?: () => number;
  /** Recent ids kept per connector to drop repeats (and to refresh engagement). */
  recentLimit?: number;
  /** The store's mentions, for sweeps; without it no sweep runs. */
  stored?: StoredMentions;
}

type State = 'idle' | 'ok' | 'failing' | 'rate_limited' | 'budget_spent' | 'connecting' | 'connected' | 'reconnecting' | 'standby' | 'stopped';
export type PollOutcome = 'ok' | 'failed' | 'rate_limited' | 'budget_spent' | 'busy' | 'deferred' | 'standby';

interface Slot {
  c: RunnableConnector;
  checkpoint: Checkpoint | null;
  busy: Promise<unknown> | null;
  state: State;
  lastSuccessAt: number | null;
  lastError: string | null;
  failures: number;
  notBefore: number;
  published: number;
  /** The latest thing the connector reported though it worked (a gap, a spent budget). */
  notice: { at: number; message: string } | null;
}

/**
 * Runs every connector: polls on their node-cron schedules (one at a time per connector;
 * a tick that finds the last poll still running is skipped), streams with reconnects,
 * engagement refreshes. Each connector's failures stay its own: it backs off (or waits
 * out the source's Retry-After) while the others go on. After each harvest is published
 * its checkpoint is saved, so a restart resumes where the last publish ended.
 */
export class ConnectorRunner {
  private readonly slots = new Map<string, Slot>();
  private readonly abort = new AbortController();
  private readonly tasks: { stop(): unknown }[] = [];
  private readonly loops: Promise<void>[] = [];

  constructor(private readonly d: RunnerDeps) {
    for (const c of d.connectors) {
      this.slots.set(c.id, {
        c,
        checkpoint: null,
        busy: null,
        state: 'idle',
        lastSuccessAt: null,
        lastError: null,
        failures: 0,
        notBefore: 0,
        published: 0,
        notice: null,
      });
      d.metrics.connectorUp.set({ connector: c.id, type: c.type }, 0);
    }
  }

  get ids(): string[] {
    return [...this.slots.keys()];
  }

  /** Schedules polls and refreshes, opens streams, and polls each poll connector once now. */
  start(): void {
    for (const slot of this.slots.values()) {
      const { c } = slot;
      if (c.connector.kind === 'poll') {
        this.tasks.push(cron.schedule(c.schedule, () => void this.pollOnce(c.id)));
        void this.pollOnce(c.id);
      } else this.loops.push(this.streamLoop(slot));
      if (c.refresh && c.connector.refresh) this.tasks.push(cron.schedule(c.refresh.schedule, () => void this.refreshOnce(c.id)));
      if (c.sweep && c.connector.refresh && this.d.stored) this.tasks.push(cron.schedule(c.sweep.schedule, () => void this.sweepOnce(c.id)));
    }
    this.d.logger.info({ connectors: this.ids }, 'connectors started');
  }

  async stop(): Promise<void> {
    this.abort.abort();
    for (const t of this.tasks) t.stop();
    await Promise.allSettled([...this.loops, ...[...this.slots.values()].map((s) => s.busy)]);
    for (const s of this.slots.values()) s.state = 'stopped';
  }

  /** One poll of one connector now (the schedule calls this; so can tests and operators). */
  async pollOnce(id: string): Promise<PollOutcome> {
    const slot = this.slot(id);
    if (slot.c.connector.kind !== 'poll') throw new Error(`${id} is a stream, not polled`);
    const connector = slot.c.connector;
    return this.exclusive(slot, async () => {
      const now = this.d.clock.now();
      if (now < slot.notBefore) return 'deferred';
      if (this.d.lease && !(await this.d.lease.isLeader(now))) {
        slot.state = 'standby';
        return 'standby';
      }
      try {
        const checkpoint = await this.checkpoint(slot);
        if (this.pauseIfBudgetSpent(slot, checkpoint)) return 'budget_spent';
        const harvest = await connector.poll(checkpoint.cursor, this.context(slot));
        await this.publish(slot, harvest);
        this.succeeded(slot, 'ok');
        this.pauseIfBudgetSpent(slot, slot.checkpoint);
        return 'ok';
      } catch (err) {
        return this.failed(slot, err);
      }
    });
  }

  /** Publishes fresh engagement for the connector's mentions younger than its refresh window. */
  async refreshOnce(id: string): Promise<number> {
    const slot = this.slot(id);
    const { connector, refresh } = slot.c;
    if (!connector.refresh || !refresh) return 0;
    const n = await this.exclusive(slot, async () => {
      const now = this.d.clock.now();
      if (now < slot.notBefore || (this.d.lease && !(await this.d.lease.isLeader(now)))) return 0;
      const checkpoint = await this.checkpoint(slot);
      if (this.pauseIfBudgetSpent(slot, checkpoint)) return 0;
      const young = checkpoint.recent.filter((r) => !r.dropped && r.created_at >= now - refresh.hours * 3_600_000);
      if (young.length === 0) return 0;
      let updates: EngagementUpdate[];
      try {
        updates = await connector.refresh!(young, this.context(slot));
      } catch (err) {
        if (err instanceof RateLimitedError) slot.notBefore = Math.max(slot.notBefore, err.retryAt);
        this.d.metrics.connectorRuns.inc({ connector: id, type: slot.c.type, outcome: 'refresh_failed' });
        this.d.logger.warn({ connector: id, err: (err as Error).message }, 'engagement refresh failed');
        return 0;
      }
      await this.countReads(slot, updates.length);
      if (updates.length) {
        await this.d.bus.publish(
          this.d.engagementTopicName,
          updates.map((u) => topicMessage(engagementTopic, u)),
        );
        this.d.metrics.engagementRefreshed.inc({ connector: id }, updates.length);
      }
      return updates.length;
    });
    return n === 'busy' ? 0 : n;
  }

  /**
   * One step of the sweep over the connector's stored mentions: the next `idsPerRun` ids
   * (in id order) are looked up at the source, and those it reports gone, with those past
   * the retention, are published as deleted (the writer erases them). Returns how many.
   */
  async sweepOnce(id: string): Promise<number> {
    const slot = this.slot(id);
    const { connector, sweep } = slot.c;
    const stored = this.d.stored;
    if (!connector.refresh || !sweep || !stored) return 0;
    const n = await this.exclusive(slot, async () => {
      const now = this.d.clock.now();
      if (now < slot.notBefore || (this.d.lease && !(await this.d.lease.isLeader(now)))) return 0;
      const checkpoint = await this.checkpoint(slot);
      if (this.pauseIfBudgetSpent(slot, checkpoint)) return 0;
      const page = await stored.after(connector.source, checkpoint.sweep?.after ?? '', sweep.idsPerRun);
      const expiredBefore = sweep.retentionDays === null ? -Infinity : now - sweep.retentionDays * 86_400_000;
      const observed_at = new Date(now).toISOString();
      const gone: EngagementUpdate[] = page
        .filter((m) => m.created_at < expiredBefore)
        .map((m) => ({ source: connector.source, id: m.id, engagement: {}, deleted: true, observed_at }));
      const ask = page.filter((m) => m.created_at >= expiredBefore);
      try {
        if (ask.length) gone.push(...(await connector.refresh!(ask, this.context(slot))).filter((u) => u.deleted));
      } catch (err) {
        if (err instanceof RateLimitedError) slot.notBefore = Math.max(slot.notBefore, err.retryAt);
        this.d.metrics.connectorRuns.inc({ connector: id, type: slot.c.type, outcome: 'sweep_failed' });
        this.d.logger.warn({ connector: id, err: (err as Error).message }, 'sweep of stored mentions failed');
        return 0;
      }
      if (gone.length)
        await this.d.bus.publish(
          this.d.engagementTopicName,
          gone.map((u) => topicMessage(engagementTopic, u)),
        );
      // A short page is the end of the store: the next run starts over.
      const next: Checkpoint = { ...(slot.checkpoint ?? checkpoint), sweep: { after: page.length < sweep.idsPerRun ? '' : page.at(-1)!.id } };
      await this.d.checkpoints.save(slot.c.id, next);
      slot.checkpoint = next;
      await this.countReads(slot, ask.length);
      return gone.length;
    });
    return n === 'busy' ? 0 : n;
  }

  health(): HealthCheck {
    return {
      name: 'ingest.connectors',
      // A source being down is reported, not fatal: restarting Earshot would not bring it back.
      check: () => ({
        ok: true,
        detail: [...this.slots.values()].map((s) => ({
          connector: s.c.id,
          type: s.c.type,
          brand: s.c.brand,
          state: s.state,
          last_success_at: s.lastSuccessAt === null ? null : new Date(s.lastSuccessAt).toISOString(),
          last_error: s.lastError,
          failures: s.failures,
          next_attempt_at: s.notBefore > this.d.clock.now() ? new Date(s.notBefore).toISOString() : null,
          mentions: s.published,
          notice: s.notice ? { at: new Date(s.notice.at).toISOString(), message: s.notice.message } : null,
        })),
      }),
    };
  }

  private async streamLoop(slot: Slot): Promise<void> {
    const { c } = slot;
    if (c.connector.kind !== 'stream') return;
    const connector = c.connector;
    const signal = this.abort.signal;
    while (!signal.aborted) {
      const wait = slot.notBefore - this.d.clock.now();
      if (wait > 0) await sleep(wait, signal);
      if (signal.aborted) break;
      if (this.d.lease && !(await this.d.lease.isLeader(this.d.clock.now()).catch(() => false))) {
        slot.state = 'standby';
        await sleep(30_000, signal);
        continue;
      }
      if (this.pauseIfBudgetSpent(slot, await this.checkpoint(slot).catch(() => null))) continue;
      slot.state = slot.failures ? 'reconnecting' : 'connecting';
      // One connection: ended by stop, or by losing the lease to another replica, which a
      // connected stream keeps renewing (a replica that only streams would otherwise lapse).
      const connection = new AbortController();
      const end = () => connection.abort();
      signal.addEventListener('abort', end, { once: true });
      let lostLease = false;
      const lease = this.d.lease;
      const heartbeat = lease
        ? setInterval(() => {
            lease.isLeader(this.d.clock.now()).then(
              (leader) => {
                if (!leader) ((lostLease = true), connection.abort());
              },
              () => undefined,
            );
          }, this.d.leaseRenewMs ?? 60_000)
        : undefined;
      let emitting = Promise.resolve();
      try {
        const checkpoint = await this.checkpoint(slot);
        await connector.run(checkpoint.cursor, {
          ...this.context(slot),
          signal: connection.signal,
          onConnected: () => {
            this.succeeded(slot, 'connected');
            slot.state = 'connected';
          },
          emit: (h) =>
            (emitting = emitting
              .then(() => this.publish(slot, h))
              .then(() => {
                slot.lastSuccessAt = this.d.clock.now();
                // A stream that spent its budget hangs up; the loop waits for the next month.
                if (slot.checkpoint && this.pauseIfBudgetSpent(slot, slot.checkpoint)) connection.abort();
              })),
        });
        await emitting;
        if (signal.aborted) break;
        if ((slot.state as State) === 'budget_spent') continue;
        if (lostLease) {
          slot.state = 'standby';
          continue;
        }
        throw new Error('stream ended');
      } catch (err) {
        await emitting.catch(() => undefined);
        if (signal.aborted) break;
        if ((slot.state as State) === 'budget_spent') continue;
        if (lostLease) {
          slot.state = 'standby';
          continue;
        }
        this.failed(slot, err);
        if ((slot.state as State) === 'failing') slot.state = 'reconnecting';
      } finally {
        clearInterval(heartbeat);
        signal.removeEventListener('abort', end);
      }
    }
  }

  private context(slot: Slot): ConnectorContext {
    return { http: slot.c.http, clock: this.d.clock, logger: this.d.logger, matches: this.d.matches };
  }

  private slot(id: string): Slot {
    const slot = this.slots.get(id);
    if (!slot) throw new Error(`no connector "${id}"; configured: ${this.ids.join(', ') || 'none'}`);
    return slot;
  }

  private async exclusive<T>(slot: Slot, work: () => Promise<T>): Promise<T | 'busy'> {
    if (slot.busy || this.abort.signal.aborted) return 'busy';
    const p = work();
    slot.busy = p;
    try {
      return await p;
    } finally {
      slot.busy = null;
    }
  }

  private async checkpoint(slot: Slot): Promise<Checkpoint> {
    slot.checkpoint ??= (await this.d.checkpoints.load(slot.c.id)) ?? { cursor: {}, recent: [] };
    return slot.checkpoint;
  }

  /** Hands a harvest to ingest (repeats dropped, owned sources stamped with their brand), dead-letters the rest, then saves the checkpoint. */
  private async publish(slot: Slot, harvest: Harvest): Promise<void> {
    const { c } = slot;
    const checkpoint = await this.checkpoint(slot);
    const seen = new Set(checkpoint.recent.map((r) => r.id));
    const fresh: Mention[] = [];
    for (const raw of harvest.mentions) {
      if (seen.has(raw.id)) continue;
      seen.add(raw.id);
      const m = fitText(raw, MAX_TEXT_CHARS);
      fresh.push(c.owned && !m.brands ? { ...m, brands: [c.brand] } : m);
    }
    const result = fresh.length
      ? await this.d.ingestor.ingest(
          fresh.map((value, index) => ({ index, value })),
          c.type,
        )
      : { accepted: 0, rejected: [] };
    const rejected = new Map(result.rejected.map((r) => [r.index, r]));
    const letters = [
      ...harvest.unusable.map((u) => ({ reason: u.reason, key: null, payload: JSON.stringify(u.payload) ?? 'null' })),
      ...result.rejected
        .filter((r) => r.category !== 'unmatched')
        .map((r) => ({ reason: r.reason, key: r.id ?? null, payload: JSON.stringify(fresh[r.index]) })),
    ];
    if (letters.length) await this.d.deadLetters.send(letters.map((l) => ({ origin: `connector:${c.id}`, stage: 'ingest.connector', ...l })));
    if (harvest.unusable.length) this.d.metrics.connectorUnusable.inc({ connector: c.id, type: c.type }, harvest.unusable.length);
    for (const message of harvest.notices ?? []) {
      slot.notice = { at: this.d.clock.now(), message };
      this.d.metrics.connectorNotices.inc({ connector: c.id, type: c.type });
      this.d.logger.warn({ connector: c.id }, message);
    }
    const added: RecentMention[] = fresh.map((m, i) => ({
      id: m.id,
      created_at: Date.parse(m.created_at) || 0,
      ...(rejected.has(i) ? { dropped: true as const } : {}),
    }));
    const recent = [...checkpoint.recent, ...added].sort((a, b) => a.created_at - b.created_at).slice(-(this.d.recentLimit ?? 5000));
    const next: Checkpoint = {
      cursor: harvest.cursor,
      recent,
      ...this.usageAfter(checkpoint, harvest.mentions.length + harvest.unusable.length),
      ...(checkpoint.sweep ? { sweep: checkpoint.sweep } : {}),
    };
    await this.d.checkpoints.save(c.id, next);
    slot.checkpoint = next;
    slot.published += result.accepted;
    if (result.accepted) this.d.metrics.connectorMentions.inc({ connector: c.id, type: c.type }, result.accepted);
  }

  /** This month's usage after `reads` more items (UTC months: a budget restarts on the 1st). */
  private usageAfter(checkpoint: Checkpoint, reads: number): Pick<Checkpoint, 'usage'> {
    const month = new Date(this.d.clock.now()).toISOString().slice(0, 7);
    const before = checkpoint.usage?.month === month ? checkpoint.usage.reads : 0;
    return { usage: { month, reads: before + reads } };
  }

  private async countReads(slot: Slot, reads: number): Promise<void> {
    if (!slot.c.monthlyReadBudget || reads === 0) return;
    const checkpoint = await this.checkpoint(slot);
    const next = { ...checkpoint, ...this.usageAfter(checkpoint, reads) };
    await this.d.checkpoints.save(slot.c.id, next);
    slot.checkpoint = next;
  }

  /** Whether the connector has read its month's budget; if so it pauses, visibly, until the next month. */
  private pauseIfBudgetSpent(slot: Slot, checkpoint: Checkpoint | null): boolean {
    const budget = slot.c.monthlyReadBudget;
    if (!budget) return false;
    const now = this.d.clock.now();
    const month = new Date(now).toISOString().slice(0, 7);
    const reads = checkpoint?.usage?.month === month ? checkpoint.usage.reads : 0;
    this.d.metrics.connectorBudgetRemaining.set({ connector: slot.c.id, type: slot.c.type }, Math.max(0, budget - reads));
    if (reads < budget) return false;
    const d = new Date(now);
    const nextMonth = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    if (slot.state !== 'budget_spent') {
      const message = `monthly read budget of ${budget} items spent (${reads} read in ${month}); paused until ${new Date(nextMonth).toISOString()}`;
      slot.notice = { at: now, message };
      this.d.logger.warn({ connector: slot.c.id }, message);
      this.d.metrics.connectorNotices.inc({ connector: slot.c.id, type: slot.c.type });
    }
    slot.state = 'budget_spent';
    slot.notBefore = Math.max(slot.notBefore, nextMonth);
    return true;
  }

  private succeeded(slot: Slot, outcome: 'ok' | 'connected'): void {
    slot.failures = 0;
    slot.lastError = null;
    slot.state = 'ok';
    slot.lastSuccessAt = this.d.clock.now();
    this.d.metrics.connectorRuns.inc({ connector: slot.c.id, type: slot.c.type, outcome });
    this.d.metrics.connectorUp.set({ connector: slot.c.id, type: slot.c.type }, 1);
    this.d.metrics.connectorLastSuccess.set({ connector: slot.c.id, type: slot.c.type }, Math.floor(slot.lastSuccessAt / 1000));
  }

  private failed(slot: Slot, err: unknown): 'rate_limited' | 'failed' {
    const now = this.d.clock.now();
    const message = err instanceof Error ? err.message : String(err);
    slot.lastError = message;
    this.d.metrics.connectorUp.set({ connector: slot.c.id, type: slot.c.type }, 0);
    if (err instanceof RateLimitedError) {
      slot.state = 'rate_limited';
      slot.notBefore = Math.max(slot.notBefore, err.retryAt);
      this.d.metrics.connectorRuns.inc({ connector: slot.c.id, type: slot.c.type, outcome: 'rate_limited' });
      this.d.logger.warn({ connector: slot.c.id, retry_at: new Date(slot.notBefore).toISOString() }, message);
      return 'rate_limited';
    }
    slot.failures++;
    slot.state = 'failing';
    slot.notBefore = now + backoffMs(slot.failures - 1, this.d.backoff.baseMs, this.d.backoff.maxMs, this.d.random ?? Math.random);
    this.d.metrics.connectorRuns.inc({ connector: slot.c.id, type: slot.c.type, outcome: 'failed' });
    this.d.logger.warn({ connector: slot.c.id, failures: slot.failures, retry_at: new Date(slot.notBefore).toISOString() }, `connector failed: ${message}`);
    return 'failed';
  }
}
