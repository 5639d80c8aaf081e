import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { CareQueueItem, CareStore } from '../store/care.js';
import { errorMessage } from '../bus/types.js';
import { withRetries } from '../retry.js';

/**
 * Hands each new unanswered complaint or question to a helpdesk webhook (generic JSON),
 * once: an item is recorded in `care_handoffs` as soon as the helpdesk accepted it, and
 * only unrecorded items are sent; failures are retried with back-off, then next run.
 * Each request carries an `Idempotency-Key`, so a helpdesk can drop the one repeat a
 * crash between its answer and our record could cause.
 */
export class HelpdeskHandoff {
  private readonly inFlight = new Map<string, Promise<'sent' | 'failed'>>();

  constructor(
    private readonly url: string,
    private readonly deps: { care: CareStore; logger: Logger; metrics: Metrics; fetch?: typeof fetch; attempts?: number; baseDelayMs?: number },
  ) {}

  /** Every new unanswered item of the last `windowHours` (EARSHOT_CARE_HANDOFF=auto). */
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

  /**
   * One item, asked for by a person. A conversation already handed off is not sent again,
   * and two requests for the same one at once make one delivery.
   */
  async handOne(item: CareQueueItem, now: number): Promise<'sent' | 'already' | 'failed'> {
    const key = `${item.brand}\n${item.source}\n${item.conversation_id}`;
    const running = this.inFlight.get(key);
    if (running) return (await running) === 'failed' ? 'failed' : 'already';
    if (item.handed_off_at) return 'already';
    const attempt = (async () => {
      if (!(await this.send(item))) return 'failed' as const;
      await this.deps.care.markHandedOff([item], now);
      return 'sent' as const;
    })();
    this.inFlight.set(key, attempt);
    try {
      return await attempt;
    } finally {
      this.inFlight.delete(key);
    }
  }

  private async send(item: CareQueueItem): Promise<boolean> {
    const attempts = this.deps.attempts ?? 4;
    const { handed_off_at: _, ...fields } = item;
    const body = JSON.stringify({ type: 'earshot.care_item', ...fields });
    try {
      await withRetries(
        async () => {
          const res = await (this.deps.fetch ?? fetch)(this.url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'idempotency-key': `earshot-care:${item.brand}:${item.source}:${item.conversation_id}`,
              'user-agent': 'earshot/0.1',
            },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          if (!res.ok) throw new Error(`helpdesk answered ${res.status}`);
        },
        {
          attempts,
          baseMs: this.deps.baseDelayMs ?? 250,
          capMs: 10_000,
          onError: (err, { attempt }) => {
            this.deps.metrics.notifyFailures.inc({ notifier: 'helpdesk' });
            this.deps.logger.warn({ attempt, conversation: item.conversation_id, err: errorMessage(err) }, 'helpdesk hand-off failed');
          },
        },
      );
      return true;
    } catch {
      return false;
    }
  }
}
