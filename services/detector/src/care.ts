import { errorMessage, sleep, type CareQueueItem, type CareStore, type Logger, type Metrics } from '@earshot/shared';
import type { Firing } from './alert-book.js';

export interface CareBounds {
  windowHours: number;
  /** 0: no bound. */
  maxUnanswered: number;
  /** 0: no bound. */
  maxReplyMinutes: number;
  /** The reply-time bound is only judged over at least this many answered conversations. */
  minConversations: number;
}

/**
 * Care alerts for one brand over the last `windowHours`: too many complaints no brand
 * account has answered, or a 90th-percentile time to first reply over the bound.
 */
export async function careFirings(care: CareStore, brand: string, now: number, bounds: CareBounds): Promise<Firing[]> {
  if (!bounds.maxUnanswered && !bounds.maxReplyMinutes) return [];
  const from = now - bounds.windowHours * 3_600_000;
  const { total } = await care.stats({ brand, from, to: now + 1 });
  const out: Firing[] = [];
  const unanswered = total.complaints - total.complaints_answered;
  const window = { windowStart: from, windowEnd: now };
  if (bounds.maxUnanswered && unanswered > bounds.maxUnanswered) {
    const oldest = await care.queue({ brand, since: from, now, limit: 5, order: 'oldest' });
    out.push({
      kind: 'care',
      brand,
      scope: 'unanswered',
      intent: 'complaint',
      finding: { observed: unanswered, expected: bounds.maxUnanswered, band: [0, bounds.maxUnanswered], score: 1, severity: unanswered > 2 * bounds.maxUnanswered ? 'critical' : 'warning', ...window },
      summary: `${unanswered} complaints in the last ${bounds.windowHours} h have no brand reply (bound ${bounds.maxUnanswered}); the oldest has waited ${oldest[0]?.waiting_minutes ?? 0} min`,
      samples: oldest.map((q) => ({ source: q.source, id: q.mention.id, ...(q.mention.url ? { url: q.mention.url } : {}) })),
    });
  }
  const p90 = total.first_reply_seconds.p90;
  if (bounds.maxReplyMinutes && p90 !== null && total.answered >= bounds.minConversations && p90 > bounds.maxReplyMinutes * 60) {
    const minutes = Math.round(p90 / 60);
    out.push({
      kind: 'care',
      brand,
      scope: 'reply_time',
      finding: { observed: minutes, expected: bounds.maxReplyMinutes, band: [0, bounds.maxReplyMinutes], score: 1, severity: minutes > 3 * bounds.maxReplyMinutes ? 'critical' : 'warning', ...window },
      summary: `90% of first replies took up to ${minutes} min over the last ${bounds.windowHours} h (bound ${bounds.maxReplyMinutes} min; median ${Math.round((total.first_reply_seconds.p50 ?? 0) / 60)} min)`,
      samples: [],
    });
  }
  return out;
}

/**
 * Hands each new unanswered complaint or question to a helpdesk webhook (generic JSON),
 * once: an item is recorded in `care_handoffs` as soon as the helpdesk accepted it, and
 * only unrecorded items are sent; failures are retried with back-off, then next run.
 * Each request carries an `Idempotency-Key`, so a helpdesk can drop the one repeat a
 * crash between its answer and our record could cause.
 */
export class HelpdeskHandoff {
  constructor(
    private readonly url: string,
    private readonly deps: { care: CareStore; logger: Logger; metrics: Metrics; fetch?: typeof fetch; attempts?: number; baseDelayMs?: number },
  ) {}

  async run(now: number, windowHours: number): Promise<{ sent: number; failed: number }> {
    const items = await this.deps.care.queue({ since: now - windowHours * 3_600_000, now, limit: 500, order: 'oldest', notHandedOff: true });
    let sent = 0;
    let failed = 0;
    for (const item of items) {
      if (await this.send(item)) {
        await this.deps.care.markHandedOff([item], now);
        sent++;
      } else failed++;
    }
    if (items.length) this.deps.logger.info({ sent, failed }, 'care items handed to the helpdesk');
    return { sent, failed };
  }

  private async send(item: CareQueueItem): Promise<boolean> {
    const attempts = this.deps.attempts ?? 4;
    const body = JSON.stringify({ type: 'earshot.care_item', ...item });
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const res = await (this.deps.fetch ?? fetch)(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': `earshot-care:${item.brand}:${item.source}:${item.conversation_id}`, 'user-agent': 'earshot/0.1' },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        if (res.ok) return true;
        throw new Error(`helpdesk answered ${res.status}`);
      } catch (err) {
        this.deps.metrics.notifyFailures.inc({ notifier: 'helpdesk' });
        this.deps.logger.warn({ attempt, conversation: item.conversation_id, err: errorMessage(err) }, 'helpdesk hand-off failed');
        if (attempt < attempts) await sleep((this.deps.baseDelayMs ?? 250) * 2 ** (attempt - 1));
      }
    }
    return false;
  }
}
