import type { ClickHouseClient } from '@clickhouse/client';
import { AlertSchema, type Alert } from '../schemas.js';
import { fromClickHouseTime as fromCh, toClickHouseTime } from './rows.js';

const time = (iso: string) => toClickHouseTime(iso);

export function alertToRow(a: Alert) {
  return {
    id: a.id,
    kind: a.kind,
    brand: a.brand,
    status: a.status,
    severity: a.severity,
    window_start: time(a.window_start),
    window_end: time(a.window_end),
    observed: a.observed,
    expected: a.expected,
    band_low: a.band[0],
    band_high: a.band[1],
    score: a.score,
    source: a.source ?? '',
    intent: a.intent ?? '',
    summary: a.summary,
    severity_score: a.severity_score ?? 0,
    explanation: a.explanation ? JSON.stringify(a.explanation) : '',
    sample_mentions: JSON.stringify(a.sample_mentions),
    opened_at: time(a.opened_at),
    updated_at: time(a.updated_at),
    resolved_at: a.resolved_at ? time(a.resolved_at) : null,
  };
}

type AlertRow = ReturnType<typeof alertToRow>;

export function rowToAlert(r: AlertRow): Alert {
  return AlertSchema.parse({
    id: r.id,
    kind: r.kind,
    brand: r.brand,
    status: r.status,
    severity: r.severity,
    window_start: fromCh(r.window_start),
    window_end: fromCh(r.window_end),
    observed: Number(r.observed),
    expected: Number(r.expected),
    band: [Number(r.band_low), Number(r.band_high)],
    score: Number(r.score),
    ...(r.source ? { source: r.source } : {}),
    ...(r.intent ? { intent: r.intent } : {}),
    summary: r.summary,
    ...(Number(r.severity_score) ? { severity_score: Number(r.severity_score) } : {}),
    ...(r.explanation ? { explanation: JSON.parse(r.explanation) } : {}),
    sample_mentions: JSON.parse(r.sample_mentions),
    opened_at: fromCh(r.opened_at),
    updated_at: fromCh(r.updated_at),
    ...(r.resolved_at ? { resolved_at: fromCh(r.resolved_at) } : {}),
  });
}

/** Alerts in ClickHouse: every version inserted, the newest per id read back with FINAL. */
export class AlertStore {
  constructor(private readonly client: ClickHouseClient) {}

  async save(alerts: Alert[]): Promise<void> {
    if (alerts.length) await this.client.insert({ table: 'alerts', values: alerts.map(alertToRow), format: 'JSONEachRow' });
  }

  async list(filter: { status?: 'open' | 'resolved' | 'all'; brand?: string; kind?: string; limit?: number } = {}): Promise<Alert[]> {
    const where = [
      filter.status === 'open' ? "status != 'resolved'" : filter.status === 'resolved' ? "status = 'resolved'" : '',
      filter.brand ? 'brand = {brand:String}' : '',
      filter.kind ? 'kind = {kind:String}' : '',
    ].filter(Boolean);
    const rows = await (
      await this.client.query({
        query: `SELECT * FROM alerts FINAL ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at DESC LIMIT {limit:UInt32}`,
        query_params: { limit: filter.limit ?? 100, ...(filter.brand ? { brand: filter.brand } : {}), ...(filter.kind ? { kind: filter.kind } : {}) },
        format: 'JSONEachRow',
      })
    ).json<AlertRow>();
    return rows.map(rowToAlert);
  }
}
