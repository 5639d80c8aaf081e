import type { ClickHouseClient } from '@clickhouse/client';
import { AlertSchema, type Alert } from '../schemas.js';
import { fromClickHouseTime, toClickHouseTime } from './rows.js';

export interface OutboxItem {
  alert: Alert;
  notifier: string;
  attempts: number;
}

/**
 * `notification_outbox`: each alert version a notifier must receive, recorded before the
 * first attempt and marked sent after it succeeds, so a detector that dies between a
 * failure and its retry delivers the rest after a restart, and nothing sent is sent again.
 */
export class NotificationOutbox {
  constructor(private readonly client: ClickHouseClient) {}

  /** The delivery key a receiver can deduplicate on: one per alert version and notifier. */
  static key(alert: Alert, notifier: string): string {
    return `${alert.id}@${alert.updated_at}#${notifier}`;
  }

  async enqueue(items: OutboxItem[], now: number): Promise<void> {
    await this.write(items, 'pending', '', now);
  }

  async markSent(item: OutboxItem, now: number): Promise<void> {
    await this.write([item], 'sent', '', now);
  }

  async markFailed(item: OutboxItem, error: string, now: number): Promise<void> {
    await this.write([item], 'pending', error.slice(0, 500), now);
  }

  /**
   * Which of these deliveries are recorded already (sent, or pending a retry), by `key`: an
   * alert version that reaches a consumer again (at-least-once delivery) must not be
   * enqueued, and so sent, a second time.
   */
  async recordedKeys(items: readonly { alert: Alert; notifier: string }[]): Promise<Set<string>> {
    if (!items.length) return new Set();
    const rows = await (
      await this.client.query({
        query: `SELECT notifier, alert FROM notification_outbox FINAL WHERE alert_id IN {ids:Array(String)}`,
        query_params: { ids: [...new Set(items.map((i) => i.alert.id))] },
        format: 'JSONEachRow',
      })
    ).json<{ notifier: string; alert: string }>();
    const recorded = new Set(rows.map((r) => NotificationOutbox.key(AlertSchema.parse(JSON.parse(r.alert)), r.notifier)));
    return new Set(items.map((i) => NotificationOutbox.key(i.alert, i.notifier)).filter((k) => recorded.has(k)));
  }

  /** The channels that have (or are retrying) a delivery of any alert of this incident. */
  async channelsReached(incidentId: string): Promise<Set<string>> {
    const rows = await (
      await this.client.query({
        query: `SELECT DISTINCT notifier FROM notification_outbox WHERE JSONExtractString(alert, 'incident_id') = {id:String}`,
        query_params: { id: incidentId },
        format: 'JSONEachRow',
      })
    ).json<{ notifier: string }>();
    return new Set(rows.map((r) => r.notifier));
  }

  /** The channels an alert reached, each version once: when the outbox marked it sent. */
  async sent(alertId: string): Promise<{ channel: string; at: string; alert: Alert }[]> {
    const rows = await (
      await this.client.query({
        query: `SELECT notifier, alert, changed_at FROM notification_outbox FINAL WHERE alert_id = {id:String} AND status = 'sent' ORDER BY changed_at`,
        query_params: { id: alertId },
        format: 'JSONEachRow',
      })
    ).json<{ notifier: string; alert: string; changed_at: string }>();
    return rows.map((r) => ({ channel: r.notifier, at: fromClickHouseTime(r.changed_at), alert: AlertSchema.parse(JSON.parse(r.alert)) }));
  }

  /** Everything still pending, oldest alert version first. */
  async pending(limit = 10_000): Promise<OutboxItem[]> {
    const rows = await (
      await this.client.query({
        query: `SELECT notifier, alert, attempts FROM notification_outbox FINAL WHERE status = 'pending' ORDER BY alert_version, alert_id LIMIT {limit:UInt32}`,
        query_params: { limit },
        format: 'JSONEachRow',
      })
    ).json<{ notifier: string; alert: string; attempts: number | string }>();
    return rows.map((r) => ({ notifier: r.notifier, alert: AlertSchema.parse(JSON.parse(r.alert)), attempts: Number(r.attempts) }));
  }

  private async write(items: OutboxItem[], status: 'pending' | 'sent', error: string, now: number): Promise<void> {
    if (!items.length) return;
    await this.client.insert({
      table: 'notification_outbox',
      values: items.map((i) => ({
        alert_id: i.alert.id,
        alert_version: toClickHouseTime(i.alert.updated_at),
        notifier: i.notifier,
        status,
        alert: JSON.stringify(i.alert),
        attempts: i.attempts,
        last_error: error,
        changed_at: toClickHouseTime(now),
      })),
      format: 'JSONEachRow',
    });
  }
}
