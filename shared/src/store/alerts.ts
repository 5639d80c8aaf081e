import type { ClickHouseClient } from '@clickhouse/client';
import { AlertSchema, type Alert } from '../schemas.js';
import { fromClickHouseTime as fromCh, toClickHouseTime } from './rows.js';
import { NotificationOutbox } from './outbox.js';

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
    incident_id: a.incident_id ?? '',
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
    // An alert stored before incidents existed is its own.
    incident_id: r.incident_id || r.id,
  });
}

export const ALERT_ACTIONS = ['acknowledge', 'resolve'] as const;
export type AlertAction = (typeof ALERT_ACTIONS)[number];
/** What a person can do to an alert: change its state, or assign it and note something on it (with a detail). */
export type AlertWork = AlertAction | 'assign' | 'note';

/** One line of an alert's timeline: what happened, when, and who or where. */
export interface TimelineEntry {
  at: string;
  event: 'opened' | 'updated' | 'resolved' | 'acknowledged' | 'assigned' | 'noted' | 'notified';
  /** The person, for what people did. */
  by?: string;
  /** The assignee, the note's text, the channel notified, or the version's summary. */
  detail?: string;
  /** Versions and notifications: the severity (1–10) of the version. */
  severity_score?: number;
}

const ACTION_EVENT = { acknowledge: 'acknowledged', resolve: 'resolved', assign: 'assigned', note: 'noted' } as const;

/**
 * An alert as people see it: the detector's newest version, with what a person did to it.
 * Resolved by hand after the detector's last version, it reads as resolved; a later
 * detector version (the anomaly went on) opens it again.
 */
export type AlertView = Alert & { acknowledged_at?: string; acknowledged_by?: string; resolved_by?: string; assignee?: string; assigned_at?: string };

/**
 * An incident as people see it: its alerts (newest version of each, worst first), open
 * while one of them is, as severe as the worst, headed by the worst one's summary.
 */
export interface IncidentView {
  id: string;
  brand: string;
  status: 'open' | 'resolved';
  severity: Alert['severity'];
  severity_score?: number;
  headline: string;
  opened_at: string;
  updated_at: string;
  /** When its last alert resolved (absent while open). */
  resolved_at?: string;
  alerts: AlertView[];
}

const LEVEL = { info: 0, warning: 1, critical: 2 } as const;
const worseFirst = (x: Alert, y: Alert) => LEVEL[y.severity] - LEVEL[x.severity] || (y.severity_score ?? 0) - (x.severity_score ?? 0);

/** Alerts grouped by incident_id, newest incident first. */
export function groupIncidents(alerts: readonly AlertView[]): IncidentView[] {
  const byId = new Map<string, AlertView[]>();
  for (const a of alerts) {
    const id = a.incident_id ?? a.id;
    byId.set(id, [...(byId.get(id) ?? []), a]);
  }
  return [...byId]
    .map(([id, members]): IncidentView => {
      const sorted = [...members].sort(worseFirst);
      const worst = sorted[0]!;
      const open = members.some((a) => a.status !== 'resolved');
      const latest = (f: (a: AlertView) => string | undefined) => members.map(f).reduce<string>((m, t) => (t && t > m ? t : m), '');
      return {
        id,
        brand: worst.brand,
        status: open ? 'open' : 'resolved',
        severity: worst.severity,
        ...(worst.severity_score ? { severity_score: worst.severity_score } : {}),
        headline: worst.summary,
        opened_at: members.map((a) => a.opened_at).reduce((m, t) => (t < m ? t : m)),
        updated_at: latest((a) => a.updated_at),
        ...(open ? {} : { resolved_at: latest((a) => a.resolved_at) }),
        alerts: sorted,
      };
    })
    .sort((x, y) => y.opened_at.localeCompare(x.opened_at) || x.id.localeCompare(y.id));
}

type AlertViewRow = AlertRow & {
  ack_at: string;
  ack_by: string;
  resolve_at: string;
  resolve_by: string;
  assign_at: string;
  assignee: string;
  by_hand: number | string;
};

// A person's resolution counts when it is later than the detector's last word.
const RESOLVED_BY_HAND = 'act.resolve_at > a.updated_at';
// With no action, the join gives DateTime's default, the epoch.
const happened = (t: string) => Boolean(t) && !t.startsWith('1970-01-01');

function rowToView(r: AlertViewRow): AlertView {
  const alert = rowToAlert(r);
  const view: AlertView = { ...alert };
  if (happened(r.ack_at)) Object.assign(view, { acknowledged_at: fromCh(r.ack_at), acknowledged_by: r.ack_by });
  if (happened(r.assign_at)) Object.assign(view, { assignee: r.assignee, assigned_at: fromCh(r.assign_at) });
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
    if (!alerts.length) return;
    await this.client.insert({ table: 'alerts', values: alerts.map(alertToRow), format: 'JSONEachRow' });
    // `alerts` keeps the newest version per id; the timeline needs each one.
    await this.client.insert({
      table: 'alert_history',
      values: alerts.map((a) => ({
        alert_id: a.id,
        status: a.status,
        severity: a.severity,
        severity_score: a.severity_score ?? 0,
        observed: a.observed,
        summary: a.summary,
        updated_at: time(a.updated_at),
      })),
      format: 'JSONEachRow',
    });
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
                       act.assign_at AS assign_at, act.assignee AS assignee, ${RESOLVED_BY_HAND} AS by_hand
                FROM (SELECT * FROM alerts FINAL ${filter.id ? 'WHERE id = {id:String}' : ''}) AS a
                LEFT JOIN (
                  SELECT alert_id,
                    maxIf(at, action = 'acknowledge') AS ack_at, argMaxIf(actor, at, action = 'acknowledge') AS ack_by,
                    maxIf(at, action = 'resolve') AS resolve_at, argMaxIf(actor, at, action = 'resolve') AS resolve_by,
                    maxIf(at, action = 'assign') AS assign_at, argMaxIf(detail, at, action = 'assign') AS assignee
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

  /** Incidents with their alerts, newest first; an incident is open while one of its alerts is. */
  async incidents(filter: { status?: 'open' | 'resolved' | 'all'; brand?: string; limit?: number } = {}): Promise<IncidentView[]> {
    const all = groupIncidents(await this.list({ status: 'all', brand: filter.brand, limit: 10_000 }));
    const status = filter.status ?? 'open';
    return all.filter((i) => status === 'all' || i.status === status).slice(0, filter.limit ?? 100);
  }

  async get(id: string): Promise<AlertView | null> {
    return (await this.list({ status: 'all', id, limit: 1 }))[0] ?? null;
  }

  /** Records a person's action on an alert; `detail` is the assignee or the note's text. */
  async act(id: string, action: AlertWork, actor: string, at: number, detail = ''): Promise<void> {
    await this.client.insert({
      table: 'alert_actions',
      values: [{ alert_id: id, action, actor, at: toClickHouseTime(at), detail }],
      format: 'JSONEachRow',
    });
  }

  /**
   * What happened to an alert, oldest first: the detector's versions (opened, updated,
   * resolved), what people did (acknowledged, assigned, noted, resolved by hand) and each
   * channel it reached (notified, when the outbox marked it sent).
   */
  async timeline(alert: Alert): Promise<TimelineEntry[]> {
    const params = { id: alert.id };
    const [versions, actions, sent] = await Promise.all([
      this.rows<{ status: string; severity_score: number | string; summary: string; updated_at: string }>(
        'SELECT status, severity_score, summary, updated_at FROM alert_history FINAL WHERE alert_id = {id:String} ORDER BY updated_at',
        params,
      ),
      this.rows<{ action: AlertWork; actor: string; at: string; detail: string }>(
        'SELECT action, actor, at, detail FROM alert_actions WHERE alert_id = {id:String} ORDER BY at',
        params,
      ),
      new NotificationOutbox(this.client).sent(alert.id),
    ]);
    const score = (n: number | string) => (Number(n) ? { severity_score: Number(n) } : {});
    const entries: TimelineEntry[] = versions.map((v, i) => ({
      at: fromCh(v.updated_at),
      event: v.status === 'resolved' ? 'resolved' : i === 0 && v.status === 'open' ? 'opened' : 'updated',
      detail: v.summary,
      ...score(v.severity_score),
    }));
    // An alert stored before the history began shows at least its opening.
    if (!entries.some((e) => e.event === 'opened')) entries.unshift({ at: alert.opened_at, event: 'opened' });
    entries.push(
      ...actions.map((a) => ({ at: fromCh(a.at), event: ACTION_EVENT[a.action], by: a.actor, ...(a.detail ? { detail: a.detail } : {}) })),
      ...sent.map((s) => ({
        at: s.at,
        event: 'notified' as const,
        detail: s.channel,
        ...(s.alert.severity_score ? { severity_score: s.alert.severity_score } : {}),
      })),
    );
    return entries.sort((a, b) => a.at.localeCompare(b.at));
  }

  private async rows<T>(query: string, query_params: Record<string, unknown>): Promise<T[]> {
    return (await this.client.query({ query, query_params, format: 'JSONEachRow' })).json<T>();
  }
}
