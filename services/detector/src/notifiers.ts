import { NotificationOutbox, errorMessage, withRetries, type Alert, type Logger, type Metrics } from '@earshot/shared';

export interface Notifier {
  name: string;
  /** `key` names this delivery (alert version and notifier), for receivers that deduplicate. */
  send(alert: Alert, key?: string): Promise<void>;
}

const verb = (a: Alert) => (a.status === 'open' ? 'opened' : a.status === 'resolved' ? 'resolved' : 'updated');
/** A version paging for an incident another alert opened names that incident. */
export const incidentNote = (a: Alert) => (a.incident_id && a.incident_id !== a.id ? ` (incident ${a.incident_id})` : '');

/** POSTs JSON (with the delivery key as Idempotency-Key); any non-2xx answer is an error. */
export async function post(url: string, body: unknown, fetchImpl: typeof fetch, key?: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) };
  const res = await fetchImpl(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
}

/** Generic JSON webhook: {event: "alert.opened"|"alert.updated"|"alert.resolved", alert, incident_id}. */
export function webhookNotifier(url: string, fetchImpl: typeof fetch = fetch): Notifier {
  return {
    name: 'webhook',
    send: (alert, key) => post(url, { event: `alert.${verb(alert)}`, alert, incident_id: alert.incident_id ?? alert.id }, fetchImpl, key),
  };
}

/** Slack incoming webhook: a text line plus a section block with the figures and links. */
export function slackNotifier(url: string, fetchImpl: typeof fetch = fetch): Notifier {
  return {
    name: 'slack',
    send: (a) => {
      const icon = a.status === 'resolved' ? ':white_check_mark:' : a.severity === 'critical' ? ':rotating_light:' : ':warning:';
      const text = `${icon} [${a.severity}] ${a.brand}: ${a.kind.replaceAll('_', ' ')} ${verb(a)}${incidentNote(a)} — ${a.summary}`;
      const links = a.sample_mentions
        .filter((m) => m.url)
        .slice(0, 3)
        .map((m) => `<${m.url}|${m.source}:${m.id}>`)
        .join('  ');
      return post(
        url,
        {
          text,
          blocks: [
            { type: 'section', text: { type: 'mrkdwn', text } },
            {
              type: 'section',
              text: {
                type: 'mrkdwn',
                text: `observed *${a.observed}* vs expected ${a.expected} (band ${a.band[0]}–${a.band[1]}), window ${a.window_start} – ${a.window_end}${links ? `\n${links}` : ''}`,
              },
            },
          ],
        },
        fetchImpl,
      );
    },
  };
}

/**
 * Delivers alert versions to every notifier with retries and back-off. Each delivery is
 * recorded in the outbox before the first attempt and marked sent after success: what
 * still fails stays pending and is tried again on the next run, or after a restart by
 * whichever replica leads (restore()). An alert is never dropped (it is already stored and
 * on the alerts topic before any notifier is called) and a sent one is not sent again.
 */
export class NotifierQueue {
  private pending: { alert: Alert; notifier: Notifier; attempts: number }[] = [];

  constructor(
    private readonly notifiers: Notifier[],
    private readonly deps: { logger: Logger; metrics: Metrics; outbox?: NotificationOutbox; now?: () => number },
    private readonly attempts = 4,
    private readonly baseDelayMs = 250,
  ) {}

  get queued(): number {
    return this.pending.length;
  }

  /** Takes back the deliveries a previous process left pending. */
  async restore(): Promise<void> {
    if (!this.deps.outbox) return;
    const byName = new Map(this.notifiers.map((n) => [n.name, n]));
    const known = new Set(this.pending.map((p) => NotificationOutbox.key(p.alert, p.notifier.name)));
    for (const item of await this.deps.outbox.pending()) {
      const notifier = byName.get(item.notifier);
      if (notifier && !known.has(NotificationOutbox.key(item.alert, item.notifier)))
        this.pending.push({ alert: item.alert, notifier, attempts: item.attempts });
    }
  }

  async deliver(alerts: Alert[]): Promise<void> {
    const now = this.deps.now ?? Date.now;
    const fresh = alerts.flatMap((alert) => this.notifiers.map((notifier) => ({ alert, notifier, attempts: 0 })));
    await this.deps.outbox?.enqueue(
      fresh.map((f) => ({ alert: f.alert, notifier: f.notifier.name, attempts: 0 })),
      now(),
    );
    const work = [...this.pending, ...fresh];
    this.pending = [];
    for (const item of work) {
      const key = NotificationOutbox.key(item.alert, item.notifier.name);
      let sent = false;
      let lastError = '';
      try {
        await withRetries(
          async () => {
            item.attempts++;
            await item.notifier.send(item.alert, key);
          },
          {
            attempts: this.attempts,
            baseMs: 2 * this.baseDelayMs,
            capMs: 5_000,
            onError: (err, { attempt }) => {
              lastError = errorMessage(err);
              this.deps.metrics.notifyFailures.inc({ notifier: item.notifier.name });
              this.deps.logger.warn({ notifier: item.notifier.name, alert: item.alert.id, attempt, err: lastError }, 'notification failed');
            },
          },
        );
        sent = true;
      } catch {
        // Kept in `pending` below, and in the outbox, for the next run.
      }
      const record = { alert: item.alert, notifier: item.notifier.name, attempts: item.attempts };
      if (sent) await this.deps.outbox?.markSent(record, now());
      else {
        await this.deps.outbox?.markFailed(record, lastError, now());
        this.pending.push(item);
      }
    }
  }
}
