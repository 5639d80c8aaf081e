import { useMemo, useState } from 'preact/hooks';
import { api, query, type Alert, type Incident, type CampaignEvent, type Mention, type SentimentStats, type TimelineEntry } from '../api.js';
import { TimeChart, seconds } from '../chart.js';
import { about, num, when } from '../format.js';
import { useLoad } from '../load.js';
import { href, hrefWith, setParams } from '../route.js';
import { Badge, MentionItem, Panel, Problem } from '../ui.js';
import { DownloadCsv } from '../download.js';
import type { ViewProps } from './props.js';

const HOUR = 3_600_000;
const tone = (a: Alert) => (a.severity === 'critical' ? 'bad' : a.severity === 'warning' ? 'warn' : 'soft');
const shownStatus = (a: Alert) =>
  a.status === 'resolved' ? `resolved${a.resolved_by ? ` by ${a.resolved_by}` : ''}` : a.acknowledged_at ? `acknowledged by ${a.acknowledged_by}` : 'open';

const kindName = (a: Alert) => a.kind.replace(/_/g, ' ');
const shownIncidentStatus = (i: Incident) =>
  i.status === 'resolved' ? 'resolved' : i.alerts.some((a) => a.status !== 'resolved' && a.acknowledged_at) ? 'acknowledged' : 'open';

/**
 * Open and resolved incidents, one row each (its worst alert, its headline), expandable to
 * its alerts; one alert's explanation, posts, linked events and timeline, with acknowledge,
 * resolve, assign and notes.
 */
export function Alerts({ f, params }: ViewProps) {
  const status = params.get('status') ?? 'open';
  const list = useLoad(() => api<{ items: Incident[] }>(`/v1/incidents${query({ brand: f.brand, status, limit: 200 })}`), [f.brand, status]);
  const id = params.get('id');
  return (
    <div class="split">
      <Panel
        title="Alerts"
        actions={
          <div class="tabs" role="group" aria-label="Status">
            {['open', 'resolved', 'all'].map((s) => (
              <button key={s} type="button" aria-pressed={s === status} onClick={() => setParams({ status: s })}>
                {s}
              </button>
            ))}
          </div>
        }
      >
        <Problem error={list.error} />
        {list.data?.items.length === 0 && (
          <p class="empty">
            No {status === 'all' ? '' : status} incidents for {f.brand}.
          </p>
        )}
        <ul class="alert-list" data-testid="incident-list">
          {(list.data?.items ?? []).map((i) => {
            const worst = i.alerts[0]!;
            const holds = i.alerts.some((a) => a.id === id);
            return (
              <li key={i.id} data-testid="incident" data-incident={i.id} aria-current={holds ? 'true' : undefined}>
                <Badge tone={tone(worst)}>{i.severity_score ? `${i.severity_score}/10` : i.severity}</Badge>{' '}
                <a href={hrefWith('alerts', params, { id: worst.id })}>{kindName(worst)}</a>{' '}
                <span class="muted small">
                  {when(i.opened_at)} · {shownIncidentStatus(i)}
                </span>
                <div class="small">{i.headline}</div>
                {/* One page per incident: its alerts are one click away, not one row each. */}
                <details open={holds}>
                  <summary class="small" data-testid="incident-size">
                    {i.alerts.length === 1 ? '1 alert' : `${i.alerts.length} alerts`}
                  </summary>
                  <ul class="alert-list" data-testid="alert-list">
                    {i.alerts.map((a) => (
                      <li key={a.id} aria-current={a.id === id ? 'true' : undefined}>
                        <Badge tone={tone(a)}>{a.severity_score ? `${a.severity_score}/10` : a.severity}</Badge>{' '}
                        <a href={hrefWith('alerts', params, { id: a.id })}>{kindName(a)}</a>{' '}
                        <span class="muted small">
                          {when(a.opened_at)} · {shownStatus(a)}
                        </span>
                        <div class="small">{a.summary}</div>
                      </li>
                    ))}
                  </ul>
                </details>
              </li>
            );
          })}
        </ul>
      </Panel>
      {id ? (
        <AlertDetail id={id} onChange={list.reload} />
      ) : (
        <Panel title="Details">
          <p class="empty">Choose an alert to see what rose, the posts behind it and what happened around it.</p>
        </Panel>
      )}
    </div>
  );
}

function AlertDetail({ id, onChange }: { id: string; onChange: () => void }) {
  const alert = useLoad(() => api<Alert>(`/v1/alerts/${encodeURIComponent(id)}`), [id]);
  const log = useLoad(() => api<{ items: TimelineEntry[] }>(`/v1/alerts/${encodeURIComponent(id)}/timeline`), [id]);
  const [actionError, setActionError] = useState<string>();
  const a = alert.data;
  const act = async (action: 'acknowledge' | 'resolve' | 'assign' | 'notes', body?: object) => {
    try {
      setActionError(undefined);
      await api(`/v1/alerts/${encodeURIComponent(id)}/${action}`, { method: 'POST', ...(body ? { body: JSON.stringify(body) } : {}) });
      alert.reload();
      log.reload();
      onChange();
      return true;
    } catch (err) {
      setActionError((err as Error).message);
      return false;
    }
  };
  if (!a) return <Panel title="Details">{alert.error ? <Problem error={alert.error} /> : <p class="muted">Loading…</p>}</Panel>;
  return (
    <Panel
      title={a.kind.replace(/_/g, ' ')}
      id="alert-detail"
      actions={
        a.status !== 'resolved' && (
          <div class="actions">
            {!a.acknowledged_at && (
              <button type="button" onClick={() => act('acknowledge')}>
                Acknowledge
              </button>
            )}
            <button type="button" onClick={() => act('resolve')}>
              Resolve
            </button>
          </div>
        )
      }
    >
      <Problem error={actionError} />
      <p class="lead" data-testid="alert-summary">
        <Badge tone={tone(a)}>{a.severity}</Badge> {a.summary}
      </p>
      <dl class="facts">
        <dt>Status</dt>
        <dd data-testid="alert-status">{shownStatus(a)}</dd>
        <dt>Assigned to</dt>
        <dd>
          <Assign assignee={a.assignee} onAssign={(assignee) => act('assign', { assignee })} />
        </dd>
        <dt>Brand</dt>
        <dd>{a.brand}</dd>
        <dt>Window</dt>
        <dd>
          {when(a.window_start)} – {when(a.window_end)}
        </dd>
        <dt>Observed</dt>
        <dd>
          {num(a.observed)} (about {about(a.expected)} expected, usual range {about(a.band[0])}–{about(a.band[1])})
        </dd>
        {a.explanation?.stories?.length ? (
          <>
            <dt>Stories</dt>
            <dd data-testid="alert-stories">
              {a.explanation.stories.map((s, i) => (
                <span key={s.id}>
                  {i ? ', ' : ''}
                  <a href={href('stories', { brand: a.brand, story: s.id })}>{s.label || 'a new story'}</a> {num(s.mentions)} of{' '}
                  {num(a.explanation!.sources.reduce((n, x) => n + x.mentions, 0))}
                </span>
              ))}
            </dd>
          </>
        ) : null}
        {a.explanation?.terms.length ? (
          <>
            <dt>What rose</dt>
            <dd data-testid="alert-terms">{a.explanation.terms.map((t) => `“${t}”`).join(', ')}</dd>
          </>
        ) : null}
        {a.explanation?.sources.length ? (
          <>
            <dt>Carried by</dt>
            <dd data-testid="alert-sources">{a.explanation.sources.map((s) => `${s.source} ${num(s.mentions)}`).join(', ')}</dd>
          </>
        ) : null}
      </dl>
      <IncidentLog entries={log.data?.items} error={log.error} onNote={(text) => act('notes', { text })} />
      <Timeline alert={a} />
      <Samples alert={a} />
    </Panel>
  );
}

/** Who the alert is assigned to, and a field to assign it (again). */
function Assign({ assignee, onAssign }: { assignee?: string; onAssign: (assignee: string) => Promise<boolean> }) {
  const [typed, setTyped] = useState('');
  return (
    <form
      class="inline-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (typed.trim() && (await onAssign(typed.trim()))) setTyped('');
      }}
    >
      <span data-testid="alert-assignee">{assignee ?? 'nobody'}</span>
      <input aria-label="Assign to" placeholder="name" maxLength={200} value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
      <button type="submit" disabled={!typed.trim()}>
        Assign
      </button>
    </form>
  );
}

const EVENT_TEXT: Record<TimelineEntry['event'], string> = {
  opened: 'Opened',
  updated: 'Updated',
  resolved: 'Resolved',
  acknowledged: 'Acknowledged',
  assigned: 'Assigned to',
  noted: 'Note',
  notified: 'Notified',
};

/** What happened to the alert, oldest first (the detector's versions, people's actions, the channels it reached), and a note to add. */
function IncidentLog({ entries, error, onNote }: { entries?: TimelineEntry[]; error?: string; onNote: (text: string) => Promise<boolean> }) {
  const [note, setNote] = useState('');
  return (
    <>
      <h3>What happened</h3>
      <Problem error={error} />
      <ol class="incident-log" data-testid="alert-log">
        {(entries ?? []).map((e, i) => (
          <li key={i}>
            <span class="muted small">{when(e.at)}</span> <strong>{EVENT_TEXT[e.event]}</strong>
            {e.detail ? ` ${e.event === 'notified' ? `via ${e.detail}` : e.detail}` : ''}
            {e.by ? <span class="muted"> · {e.by}</span> : null}
          </li>
        ))}
      </ol>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (note.trim() && (await onNote(note.trim()))) setNote('');
        }}
      >
        <label>
          Add a note
          <textarea rows={2} maxLength={4000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
        </label>
        <div class="actions">
          <button type="submit" disabled={!note.trim()}>
            Add note
          </button>
        </div>
      </form>
    </>
  );
}

/** What an alert counted, for its chart and samples: its intent (complaints), negatives, or every mention. */
function counted(a: Alert): { label: string; sentiment?: 'negative'; intent?: string } {
  if (a.intent) return { label: a.intent === 'complaint' ? 'Complaints' : `Intent: ${a.intent}`, intent: a.intent };
  if (a.kind === 'volume_spike' || a.kind === 'care' || a.kind === 'source_silent' || a.kind === 'emerging_story') return { label: 'Mentions' };
  return { label: 'Negative', sentiment: 'negative' };
}

/** The brand's mentions around the alert and what the alert counted, its window shaded, events marked; the events listed. */
function Timeline({ alert: a }: { alert: Alert }) {
  const from = new Date(Date.parse(a.window_start) - 6 * HOUR).toISOString();
  const to = new Date(Math.max(Date.parse(a.window_end) + 2 * HOUR, Date.parse(a.window_start) + HOUR)).toISOString();
  const what = counted(a);
  const stats = useLoad(() => api<SentimentStats>(`/v1/stats/sentiment${query({ brand: a.brand, from, to, interval: '5m', intent: what.intent })}`), [a.id]);
  const events = useLoad(
    () => api<{ items: CampaignEvent[] }>(`/v1/events${query({ brand: a.brand, from: new Date(Date.parse(from) - 18 * HOUR).toISOString(), to })}`),
    [a.id],
  );
  const b = stats.data?.buckets ?? [];
  const series = useMemo(
    () => [
      { label: 'Mentions', values: b.map((x) => x.mentions), color: '#2563eb', bars: true },
      ...(what.label === 'Mentions' ? [] : [{ label: what.label, values: b.map((x) => (what.intent ? (x.intent ?? 0) : x.negative)), color: '#dc2626' }]),
    ],
    [stats.data],
  );
  const linked = events.data?.items ?? [];
  return (
    <>
      <h3>Timeline</h3>
      <Problem error={stats.error} />
      {b.length > 0 && (
        <div data-testid="alert-timeline">
          <TimeChart
            x={b.map((x) => seconds(x.start))}
            series={series}
            markers={linked.map((e) => ({ at: seconds(e.starts_at), label: e.title }))}
            highlight={[seconds(a.window_start), seconds(a.window_end)]}
            height={200}
            label={`Mentions of ${a.brand}${what.label === 'Mentions' ? '' : ` and ${what.label.toLowerCase()}`} per 5 minutes from 6 hours before the alert, its window shaded`}
            yLabel="Mentions per 5 minutes"
          />
        </div>
      )}
      <h3>Linked events</h3>
      {linked.length === 0 ? (
        <p class="muted">No events of {a.brand} in the day before.</p>
      ) : (
        <ul data-testid="alert-events">
          {linked.map((e) => (
            <li key={e.id}>
              <Badge tone="soft">{e.kind}</Badge> {e.title} <span class="muted">{when(e.starts_at)}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Posts from the alert's window that match what it counted (its intent, negatives, or any). */
function Samples({ alert: a }: { alert: Alert }) {
  const { intent, sentiment } = counted(a);
  const filter = intent ? { intent } : sentiment ? { sentiment } : {};
  const all = { brand: a.brand, source: a.source, ...filter, from: a.window_start, to: new Date(Date.parse(a.window_end) + 60_000).toISOString() };
  const posts = useLoad(() => api<{ items: Mention[] }>(`/v1/mentions${query({ ...all, limit: 5 })}`), [a.id]);
  return (
    <>
      <h3>
        Sample posts <DownloadCsv filter={all} name={`alert-${a.brand}-${a.window_start.slice(0, 16).replace(':', '')}`} />
      </h3>
      <Problem error={posts.error} />
      <ul class="mentions" data-testid="alert-samples">
        {(posts.data?.items ?? []).map((m) => (
          <MentionItem key={`${m.source}:${m.id}`} m={m} />
        ))}
      </ul>
      {a.sample_mentions.some((s) => s.url) && (
        <p class="small">
          Posts the detector picked:{' '}
          {a.sample_mentions
            .filter((s) => s.url)
            .map((s, i) => (
              <a key={s.id} href={s.url} target="_blank" rel="noopener noreferrer">
                {i ? ', ' : ''}
                {s.source} {s.id}
              </a>
            ))}
        </p>
      )}
    </>
  );
}
