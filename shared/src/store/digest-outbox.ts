import type { ClickHouseClient } from '@clickhouse/client';
import { fromClickHouseTime, toClickHouseTime } from './rows.js';

/** One scheduled digest for one channel: a brand's day or week from `start` to `end` (ms). */
export interface DigestDelivery {
  channel: string;
  brand: string;
  period: string;
  start: number;
  end: number;
}

/**
 * `digest_outbox`: each scheduled digest a channel must receive, recorded before the first
 * attempt and marked sent after it succeeds, so a notifier restarted within a period does
 * not send that period's digest again, and one that failed is sent after a restart.
 */
export class DigestOutbox {
  constructor(private readonly client: ClickHouseClient) {}

  /** The delivery key (also the Idempotency-Key and Message-ID seed): brand, period, its start, channel. */
  static key(d: Omit<DigestDelivery, 'end'>): string {
    return `digest:${d.brand}:${d.period}:${new Date(d.start).toISOString()}#${d.channel}`;
  }

  /** The newest status of each of these deliveries that is recorded, by `key`. */
  async statuses(items: readonly DigestDelivery[]): Promise<Map<string, { status: 'pending' | 'sent'; attempts: number }>> {
    if (!items.length) return new Map();
    const rows = await (
      await this.client.query({
        query: `SELECT channel, brand, period, period_start, status, attempts FROM digest_outbox FINAL
                WHERE channel IN {channels:Array(String)} AND brand IN {brands:Array(String)} AND period_start IN {starts:Array(DateTime64(3))}`,
        query_params: {
          channels: [...new Set(items.map((i) => i.channel))],
          brands: [...new Set(items.map((i) => i.brand))],
          starts: [...new Set(items.map((i) => toClickHouseTime(i.start)))],
        },
        format: 'JSONEachRow',
      })
    ).json<{ channel: string; brand: string; period: string; period_start: string; status: 'pending' | 'sent'; attempts: number | string }>();
    return new Map(
      rows.map((r) => [
        DigestOutbox.key({ channel: r.channel, brand: r.brand, period: r.period, start: Date.parse(fromClickHouseTime(r.period_start)) }),
        { status: r.status, attempts: Number(r.attempts) },
      ]),
    );
  }

  /** Deliveries not sent yet (failed, or cut short by a stop), oldest period first. */
  async pending(limit = 1000): Promise<(DigestDelivery & { attempts: number })[]> {
    const rows = await (
      await this.client.query({
        query: `SELECT channel, brand, period, period_start, period_end, attempts FROM digest_outbox FINAL
                WHERE status = 'pending' ORDER BY period_start, brand, channel LIMIT {limit:UInt32}`,
        query_params: { limit },
        format: 'JSONEachRow',
      })
    ).json<{ channel: string; brand: string; period: string; period_start: string; period_end: string; attempts: number | string }>();
    return rows.map((r) => ({
      channel: r.channel,
      brand: r.brand,
      period: r.period,
      start: Date.parse(fromClickHouseTime(r.period_start)),
      end: Date.parse(fromClickHouseTime(r.period_end)),
      attempts: Number(r.attempts),
    }));
  }

  async record(d: DigestDelivery, outcome: { status: 'pending' | 'sent'; attempts: number; error?: string }, now: number): Promise<void> {
    await this.client.insert({
      table: 'digest_outbox',
      values: [
        {
          channel: d.channel,
          brand: d.brand,
          period: d.period,
          period_start: toClickHouseTime(d.start),
          period_end: toClickHouseTime(d.end),
          status: outcome.status,
          attempts: outcome.attempts,
          last_error: (outcome.error ?? '').slice(0, 500),
          changed_at: toClickHouseTime(now),
        },
      ],
      format: 'JSONEachRow',
    });
  }
}
