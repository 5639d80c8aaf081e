import { backoffMs, errorMessage, sleep, type Alert, type Logger, type Metrics } from '@earshot/shared';

export interface Notifier {
  name: string;
  send(alert: Alert): Promise<void>;
}

const verb = (a: Alert) => (a.status === 'open' ? 'opened' : a.status === 'resolved' ? 'resolved' : 'updated');

async function post(url: string, body: unknown, fetchImpl: typeof fetch): Promise<void> {
  const res = await fetchImpl(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
}

/** Generic JSON webhook: {event: "alert.opened"|"alert.updated"|"alert.resolved", alert}. */
export function webhookNotifier(url: string, fetchImpl: typeof fetch = fetch): Notifier {
  return { name: 'webhook', send: (alert) => post(url, { event: `alert.${verb(alert)}`, alert }, fetchImpl) };
}

/** Slack incoming webhook: a text line plus a section block with the figures and links. */
export function slackNotifier(url: string, fetchImpl: typeof fetch = fetch): Notifier {
  return {
    name: 'slack',
    send: (a) => {
      const icon = a.status === 'resolved' ? ':white_check_mark:' : a.severity === 'critical' ? ':rotating_light:' : ':warning:';
      const text = `${icon} [${a.severity}] ${a.brand}: ${a.kind.replaceAll('_', ' ')} ${verb(a)} — ${a.summary}`;
      const links = a.sample_mentions.filter((m) => m.url).slice(0, 3).map((m) => `<${m.url}|${m.source}:${m.id}>`).join('  ');
      return post(
        url,
        {
          text,
          blocks: [
            { type: 'section', text: { type: 'mrkdwn', text } },
            { type: 'section', text: { type: 'mrkdwn', text: `observed *${a.observed}* vs expected ${a.expected} (band ${a.band[0]}–${a.band[1]}), window ${a.window_start} – ${a.window_end}${links ? `\n${links}` : ''}` } },
          ],
        },
        fetchImpl,
      );
    },
  };
}

/**
 * Delivers alert versions to every notifier with retries and back-off. What still
 * fails stays queued and is tried again on the next run: an alert is never dropped
 * (it is already stored and on the alerts topic before any notifier is called).
 */
export class NotifierQueue {
  private pending: { alert: Alert; notifier: Notifier }[] = [];

  constructor(
    private readonly notifiers: Notifier[],
    private readonly deps: { logger: Logger; metrics: Metrics },
    private readonly attempts = 4,
    private readonly baseDelayMs = 250,
  ) {}

  get queued(): number {
    return this.pending.length;
  }

  async deliver(alerts: Alert[]): Promise<void> {
    const work = [...this.pending, ...alerts.flatMap((alert) => this.notifiers.map((notifier) => ({ alert, notifier })))];
    this.pending = [];
    for (const item of work) {
      let sent = false;
      for (let attempt = 1; attempt <= this.attempts && !sent; attempt++) {
        try {
          await item.notifier.send(item.alert);
          sent = true;
        } catch (err) {
          this.deps.metrics.notifyFailures.inc({ notifier: item.notifier.name });
          this.deps.logger.warn({ notifier: item.notifier.name, alert: item.alert.id, attempt, err: errorMessage(err) }, 'notification failed');
          if (attempt < this.attempts) await sleep(backoffMs(attempt, this.baseDelayMs, 5_000));
        }
      }
      if (!sent) this.pending.push(item);
    }
  }
}
