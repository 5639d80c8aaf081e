import { useMemo, useState } from 'preact/hooks';
import { api, query, type CampaignEvent, type Impact, type Interval, type SentimentStats } from '../api.js';
import { MIN_NET_MENTIONS, TimeChart, emptyBucket, everyBucket, netWhenCounted, seconds } from '../chart.js';
import { num, pct, points, signed, when } from '../format.js';
import { useLoad } from '../load.js';
import { hrefWith, setParams } from '../route.js';
import { Badge, Panel, Problem, TableHead, numCol } from '../ui.js';
import type { ViewProps } from './props.js';

const KINDS = ['campaign', 'pr', 'launch', 'incident', 'outage', 'other'];

/** The events API answers 202: the writer stores them a moment later. Waits until they read back. */
async function untilStored(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 40 && !(await check()); i++) await new Promise((r) => setTimeout(r, 250));
}

/** The brand's campaigns, launches and incidents: create, edit, delete, import; one event's impact. */
export function Events({ f, params }: ViewProps) {
  const list = useLoad(
    () => api<{ items: CampaignEvent[] }>(`/v1/events${query({ brand: f.brand, from: f.from, to: f.to, limit: 500 })}`),
    [f.brand, f.from, f.to],
  );
  const id = params.get('event');
  const editing = params.get('edit');
  const selected = list.data?.items.find((e) => e.id === (editing ?? id));
  return (
    <div class="split">
      <div>
        <Panel title="Events" actions={<a href={hrefWith('events', params, { edit: 'new', event: undefined })}>New event</a>}>
          <Problem error={list.error} />
          {list.data?.items.length === 0 && <p class="empty">No events of {f.brand} in this range.</p>}
          <ul class="event-list" data-testid="event-list">
            {(list.data?.items ?? []).map((e) => (
              <li key={e.id} aria-current={e.id === id ? 'true' : undefined}>
                <Badge tone="soft">{e.kind}</Badge> <a href={hrefWith('events', params, { event: e.id, edit: undefined })}>{e.title}</a>{' '}
                <span class="muted small">{when(e.starts_at)}</span>
              </li>
            ))}
          </ul>
        </Panel>
        <ImportForm brand={f.brand} onDone={list.reload} />
      </div>
      {editing ? (
        <EventForm
          key={editing}
          brand={f.brand}
          event={editing === 'new' ? undefined : selected}
          onSaved={(e) => {
            list.reload();
            setParams({ edit: undefined, event: e?.id });
          }}
        />
      ) : id ? (
        <ImpactPanel
          id={id}
          params={params}
          onDeleted={() => {
            list.reload();
            setParams({ event: undefined });
          }}
        />
      ) : (
        <Panel title="Impact">
          <p class="empty">Choose an event to see what it did: volume, share of voice, sentiment and complaints before and after.</p>
        </Panel>
      )}
    </div>
  );
}

const local = (iso?: string) => (iso ? new Date(Date.parse(iso) - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16) : '');
const fromLocal = (v: string) => (v ? new Date(v).toISOString() : undefined);

function EventForm({ brand, event, onSaved }: { brand: string; event?: CampaignEvent; onSaved: (e?: CampaignEvent) => void }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (form: HTMLFormElement) => {
    const v = Object.fromEntries(new FormData(form)) as Record<string, string>;
    const body = {
      kind: v.kind,
      title: v.title,
      starts_at: fromLocal(v.starts_at ?? ''),
      ends_at: fromLocal(v.ends_at ?? ''),
      description: v.description || undefined,
      url: v.url || undefined,
    };
    setBusy(true);
    setError(undefined);
    try {
      const saved = event
        ? await api<CampaignEvent>(`/v1/events/${encodeURIComponent(event.id)}`, { method: 'PATCH', body: JSON.stringify(body) })
        : (await api<{ items: CampaignEvent[] }>('/v1/events', { method: 'POST', body: JSON.stringify({ brand, ...body }) })).items[0]!;
      await untilStored(async () => (await api<CampaignEvent>(`/v1/events/${encodeURIComponent(saved.id)}`).catch(() => null))?.title === saved.title);
      onSaved(saved);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title={event ? `Edit “${event.title}”` : `New event for ${brand}`}>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit(e.currentTarget);
        }}
      >
        <label>
          Title
          <input name="title" required maxLength={512} defaultValue={event?.title} />
        </label>
        <label>
          Kind
          <select name="kind" defaultValue={event?.kind ?? 'campaign'}>
            {KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <label>
          Starts
          <input name="starts_at" type="datetime-local" required defaultValue={local(event?.starts_at)} />
        </label>
        <label>
          Ends <span class="muted">(optional)</span>
          <input name="ends_at" type="datetime-local" defaultValue={local(event?.ends_at)} />
        </label>
        <label>
          Description
          <textarea name="description" rows={3} defaultValue={event?.description} />
        </label>
        <label>
          Link
          <input name="url" type="url" defaultValue={event?.url} />
        </label>
        <Problem error={error} />
        <div class="actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button type="button" class="link" onClick={() => onSaved(event)}>
            Cancel
          </button>
        </div>
      </form>
    </Panel>
  );
}

function ImportForm({ brand, onDone }: { brand: string; onDone: () => void }) {
  const [result, setResult] = useState<string>();
  const [error, setError] = useState<string>();
  return (
    <Panel title="Import">
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          const file = (e.currentTarget.elements.namedItem('file') as HTMLInputElement).files?.[0];
          if (!file) return;
          setError(undefined);
          setResult(undefined);
          try {
            const r = await api<{ imported: number; rejected: { record: number; reason: string }[]; events: CampaignEvent[] }>(
              `/v1/events/import${query({ brand })}`,
              {
                method: 'POST',
                headers: { 'content-type': file.name.endsWith('.ics') ? 'text/calendar' : 'text/csv' },
                body: await file.text(),
              },
            );
            const last = r.events[r.events.length - 1];
            if (last) await untilStored(async () => Boolean(await api(`/v1/events/${encodeURIComponent(last.id)}`).catch(() => null)));
            setResult(
              `Imported ${r.imported} events${r.rejected.length ? `; skipped ${r.rejected.map((x) => `record ${x.record} (${x.reason})`).join(', ')}` : ''}.`,
            );
            onDone();
          } catch (err) {
            setError((err as Error).message);
          }
        }}
      >
        <label>
          CSV (title, starts_at, kind, …) or iCalendar file; events without a brand get {brand}
          <input name="file" type="file" accept=".csv,.ics,text/csv,text/calendar" />
        </label>
        <button type="submit">Import</button>
        <Problem error={error} />
        {result && <p role="status">{result}</p>}
      </form>
    </Panel>
  );
}

const verdictOf = (x: Interval) => (x.p_value < 0.05 ? 'significant' : 'not significant');

function ImpactPanel({ id, params, onDeleted }: { id: string; params: URLSearchParams; onDeleted: () => void }) {
  const event = useLoad(() => api<CampaignEvent>(`/v1/events/${encodeURIComponent(id)}`), [id]);
  const impact = useLoad(() => api<Impact>(`/v1/events/${encodeURIComponent(id)}/impact`), [id]);
  const w = impact.data?.windows;
  const stats = useLoad(
    () =>
      w
        ? api<SentimentStats>(`/v1/stats/sentiment${query({ brand: event.data!.brand, from: w.before.from, to: w.after.to, interval: '1h' })}`)
        : Promise.resolve(undefined),
    [w?.before.from, w?.after.to],
  );
  const b = w && stats.data ? everyBucket(stats.data?.buckets ?? [], w.before.from, w.after.to, 3600, emptyBucket) : [];
  const series = useMemo(
    () => [
      { label: 'Mentions per hour', values: b.map((x) => x.mentions), color: '#2563eb', bars: true },
      { label: 'Net sentiment', values: b.map(netWhenCounted), color: '#059669', scale: 'net' as const },
    ],
    [stats.data],
  );
  const e = event.data;
  const i = impact.data;
  const remove = async () => {
    if (!e || !confirm(`Delete the event “${e.title}”?`)) return;
    await api(`/v1/events/${encodeURIComponent(e.id)}`, { method: 'DELETE' });
    await untilStored(
      async () =>
        !(await api(`/v1/events/${encodeURIComponent(e.id)}`).then(
          () => true,
          () => false,
        )),
    );
    onDeleted();
  };
  return (
    <Panel
      title={e ? e.title : 'Impact'}
      id="impact"
      actions={
        e && (
          <div class="actions">
            <a href={hrefWith('events', params, { edit: e.id })}>Edit</a>
            <button type="button" class="link danger" onClick={remove}>
              Delete
            </button>
          </div>
        )
      }
    >
      <Problem error={event.error ?? impact.error} />
      {e && (
        <p class="muted">
          {e.kind} · {when(e.starts_at)}
          {e.ends_at ? ` – ${when(e.ends_at)}` : ''} {e.description}
        </p>
      )}
      {i && (
        <>
          <p class="lead" data-testid="impact-verdict">
            {i.verdict}
          </p>
          {b.length > 0 && e && (
            <TimeChart
              x={b.map((x) => seconds(x.start))}
              series={series}
              markers={[{ at: seconds(e.starts_at), label: e.title }]}
              height={200}
              label={`Mentions per hour and net sentiment of ${e.brand} before and after ${e.title}`}
              yLabel="Mentions per hour"
              // The whole before and after windows, even where no mention falls at their ends.
              xRange={[seconds(i.windows.before.from), seconds(i.windows.after.to)]}
            />
          )}
          {b.length > 0 && <p class="muted small">Net sentiment is drawn only for hours with at least {MIN_NET_MENTIONS} mentions.</p>}
          <div class="table-scroll">
            <table>
              <caption>
                Before ({num(i.windows.before.mentions)} mentions) against after ({num(i.windows.after.mentions)}), 95% intervals
              </caption>
              <TableHead cols={['Measure', numCol('Before'), numCol('After'), numCol('Change (95% CI)'), 'Verdict']} />
              <tbody>
                <tr>
                  <th scope="row">Mentions per hour</th>
                  <td class="num">{i.volume.before_per_hour}</td>
                  <td class="num">{i.volume.after_per_hour}</td>
                  <td class="num">
                    ×{i.volume.ratio} ({i.volume.ci95[0]}–{i.volume.ci95[1]})
                  </td>
                  <td>{i.volume.p_value < 0.05 ? 'significant' : 'not significant'}</td>
                </tr>
                {(
                  [
                    // Rates change in percentage points; net sentiment in its own units.
                    ['Share of voice', i.share_of_voice, pct, points],
                    ['Net sentiment', i.net_sentiment, (x: number) => signed(x), (x: number) => signed(x)],
                    ['Complaint rate', i.complaint_rate, pct, points],
                  ] as const
                ).map(([label, x, fmt, change]) => (
                  <tr key={label}>
                    <th scope="row">{label}</th>
                    <td class="num">{fmt(x.before)}</td>
                    <td class="num">{fmt(x.after)}</td>
                    <td class="num">
                      {change(x.difference)} ({change(x.ci95[0])} to {change(x.ci95[1])})
                    </td>
                    <td>{verdictOf(x)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {i.new_terms.length > 0 && <p>New in the conversation: {i.new_terms.map((t) => `“${t}”`).join(', ')}</p>}
        </>
      )}
    </Panel>
  );
}
