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

export const ALERT_ACTIONS = ['acknowledge', 'resolve'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];

/**
 * An alert as people see it: the detector's newest version, with what a person did to it.
 * Resolved by hand after the detector's last version, it reads as resolved; a later
 * detector version (the anomaly went on) opens it again.
 */
export type AlertView = Alert & { acknowledged_at?: string; acknowledged_by?: string; resolved_by?: string };

type AlertViewRow = AlertRow & { ack_at: string; ack_by: string; resolve_at: string; resolve_by: string; by_hand: number | string };

// A person's resolution counts when it is later than the detector's last word.
const RESOLVED_BY_HAND = 'act.resolve_at > a.updated_at';
// With no action, the join gives DateTime's default, the epoch.
const happened = (t: string) => Boolean(t) && !t.startsWith('1970-01-01');

function rowToView(r: AlertViewRow): AlertView {
  const alert = rowToAlert(r);
  const view: AlertView = { ...alert };
  if (happened(r.ack_at)) Object.assign(view, { acknowledged_at: fromCh(r.ack_at), acknowledged_by: r.ack_by });
  if (alert.status !== 'resolved' && Number(r.by_hand) === 1)
    Object.assign(view, { status: 'resolved', resolved_at: fromCh(r.resolve_at), resolved_by: r.resolve_by });
  return view;
}

/**
 * Alerts in ClickHouse: every version inserted, the newest per id read back with FINAL;
 * a person's acknowledgements and resolutions in `alert_actions`, joined on read.
 */
export class AlertStore {
  constructor(private readonly client: ClickHouseClient) {}

  async save(alerts: Alert[]): Promise<void> {
    if (alerts.length) await this.client.insert({ table: 'alerts', values: alerts.map(alertToRow), format: 'JSONEachRow' });
  }

  async list(filter: { status?: 'open' | 'resolved' | 'all'; brand?: string; kind?: string; id?: string; limit?: number } = {}): Promise<AlertView[]> {
    const where = [
      filter.status === 'open'
        ? `a.status != 'resolved' AND NOT (${RESOLVED_BY_HAND})`
        : filter.status === 'resolved'
          ? `(a.status = 'resolved' OR ${RESOLVED_BY_HAND})`
          : '',
      filter.brand ? 'a.brand = {brand:String}' : '',
      filter.kind ? 'a.kind = {kind:String}' : '',
      filter.id ? 'a.id = {id:String}' : '',
    ].filter(Boolean);
    const rows = await (
      await this.client.query({
        query: `SELECT a.*, act.ack_at AS ack_at, act.ack_by AS ack_by, act.resolve_at AS resolve_at, act.resolve_by AS resolve_by,
                       ${RESOLVED_BY_HAND} AS by_hand
                FROM (SELECT * FROM alerts FINAL ${filter.id ? 'WHERE id = {id:String}' : ''}) AS a
                LEFT JOIN (
                  SELECT alert_id,
                    maxIf(at, action = 'acknowledge') AS ack_at, argMaxIf(actor, at, action = 'acknowledge') AS ack_by,
                    maxIf(at, action = 'resolve') AS resolve_at, argMaxIf(actor, at, action = 'resolve') AS resolve_by
                  FROM alert_actions ${filter.id ? 'WHERE alert_id = {id:String}' : ''} GROUP BY alert_id
                ) AS act ON act.alert_id = a.id
                ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                ORDER BY a.updated_at DESC LIMIT {limit:UInt32}`,
        query_params: {
          limit: filter.limit ?? 100,
          ...(filter.brand ? { brand: filter.brand } : {}),
          ...(filter.kind ? { kind: filter.kind } : {}),
          ...(filter.id ? { id: filter.id } : {}),
        },
        format: 'JSONEachRow',
      })
    ).json<AlertViewRow>();
    return rows.map(rowToView);
  }

  async get(id: string): Promise<AlertView | null> {
    return (await this.list({ status: 'all', id, limit: 1 }))[0] ?? null;
  }

  /** Records a person's action on an alert. */
  async act(id: string, action: AlertAction, actor: string, at: number): Promise<void> {
    await this.client.insert({ table: 'alert_actions', values: [{ alert_id: id, action, actor, at: toClickHouseTime(at) }], format: 'JSONEachRow' });
  }
}
