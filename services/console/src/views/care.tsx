import { useMemo, useState } from 'preact/hooks';
import { api, query, type AuthorView, type CareItem, type CareStats } from '../api.js';
import { TimeChart, seconds } from '../chart.js';
import { duration, num, pct, signed, when } from '../format.js';
import { useLoad } from '../load.js';
import { hrefWith, setParams } from '../route.js';
import { Badge, MentionItem, Panel, Problem, Stat, TableHead, numCol } from '../ui.js';
import type { ViewProps } from './props.js';

type Stats = { total: CareStats; by_source: (CareStats & { source: string })[]; helpdesk?: boolean };

/** Queue items per page. */
const PAGE = 25;

/** Response rate, time to first reply and outcome; the unanswered queue; one customer across sources. */
export function Care({ f, params }: ViewProps) {
  const author = params.get('author');
  const stats = useLoad(
    () => api<Stats>(`/v1/stats/care${query({ brand: f.brand, source: f.source, from: f.from, to: f.to })}`),
    [f.brand, f.source, f.from, f.to],
  );
  const t = stats.data?.total;
  return (
    <div class="stack">
      <div class="stats" data-testid="care-stats">
        <Stat
          label="Response rate"
          // Under 1%, a decimal: 1 of 501 is not "0%".
          value={<span data-testid="response-rate">{pct(t?.response_rate, t?.response_rate && t.response_rate < 0.01 ? 1 : 0)}</span>}
          hint={t ? `${num(t.answered)} of ${num(t.conversations)} conversations answered` : undefined}
        />
        <Stat label="First reply, median" value={duration(t?.first_reply_seconds.p50)} hint={`90% within ${duration(t?.first_reply_seconds.p90)}`} />
        <Stat label="Replies per conversation" value={t?.replies_per_conversation?.toFixed(1) ?? '–'} />
        <Stat
          label="Outcome"
          value={signed(t?.outcome.change)}
          hint={
            t?.outcome.conversations
              ? `customer sentiment ${signed(t.outcome.first_sentiment)} → ${signed(t.outcome.last_sentiment)}; ${pct(t.outcome.improved_share)} improved`
              : 'no answered conversations'
          }
          tone={(t?.outcome.change ?? 0) >= 0 ? 'good' : 'bad'}
        />
      </div>
      <Problem error={stats.error} />
      {stats.data && stats.data.by_source.length > 0 && (
        <Panel title="By source">
          <div class="table-scroll">
            <table>
              <TableHead cols={['Source', numCol('Conversations'), numCol('Response rate'), numCol('First reply (median)'), numCol('Outcome')]} />
              <tbody>
                {stats.data.by_source.map((s) => (
                  <tr key={s.source}>
                    <th scope="row">{s.source}</th>
                    <td class="num">{num(s.conversations)}</td>
                    <td class="num">{pct(s.response_rate)}</td>
                    <td class="num">{duration(s.first_reply_seconds.p50)}</td>
                    <td class="num">{signed(s.outcome.change)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>
      )}
      {author ? <Customer who={author} /> : null}
      <Queue f={f} params={params} helpdesk={stats.data?.helpdesk} />
    </div>
  );
}

/** The unanswered items asked in the chosen range (the same conversations the response rate counts), a page at a time. */
function Queue({ f, params, helpdesk }: ViewProps & { helpdesk: boolean | undefined }) {
  const sort = params.get('sort') ?? 'priority';
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  // One more than a page: whether there is a next one.
  const queue = useLoad(
    () =>
      api<{ items: CareItem[] }>(
        `/v1/care/queue${query({ brand: f.brand, source: f.source, from: f.from, to: f.to, sort, limit: PAGE + 1, offset: (page - 1) * PAGE })}`,
      ),
    [f.brand, f.source, f.from, f.to, sort, page],
  );
  const items = queue.data?.items.slice(0, PAGE) ?? [];
  const more = (queue.data?.items.length ?? 0) > PAGE;
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const act = async (item: CareItem, action: 'handoff' | 'handled') => {
    setError(undefined);
    try {
      const r = await api<{ status: string }>(`/v1/care/queue/${[item.brand, item.source, item.conversation_id].map(encodeURIComponent).join('/')}/${action}`, {
        method: 'POST',
      });
      setNotice(`@${item.author.handle}: ${r.status.replace(/_/g, ' ')}`);
      queue.reload();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Panel
      title="Unanswered"
      actions={
        <label class="small">
          Sort{' '}
          <select value={sort} onChange={(e) => setParams({ sort: e.currentTarget.value, page: undefined })}>
            <option value="priority">priority (reach × waiting)</option>
            <option value="oldest">oldest first</option>
            <option value="reach">reach</option>
          </select>
        </label>
      }
    >
      <Problem error={queue.error ?? error} />
      {notice && (
        <p role="status" class="notice">
          {notice}
        </p>
      )}
      {queue.data && items.length === 0 && (
        <p class="empty">
          Nothing waiting for {f.brand} from this range{page > 1 ? ' on this page' : ''}.
        </p>
      )}
      {helpdesk === false && <p class="muted small">No helpdesk is configured (EARSHOT_CARE_WEBHOOK_URL), so items cannot be handed off from here.</p>}
      <div class="table-scroll">
        <table data-testid="care-queue">
          <TableHead cols={['Customer', 'Asked', numCol('Waiting'), 'Actions']} />
          <tbody>
            {items.map((i) => (
              <tr key={`${i.source}:${i.conversation_id}`}>
                <td>
                  <a href={hrefWith('care', params, { author: `${i.source}:${i.author.id}` })}>@{i.author.handle}</a>
                  <div class="muted small">
                    {i.source}
                    {i.author.followers > 0 && ` · ${num(i.author.followers)} followers`}
                  </div>
                </td>
                <td>
                  <Badge tone={i.intent === 'complaint' ? 'bad' : 'soft'}>{i.intent}</Badge> {i.mention.text}
                  {i.mention.url && (
                    <>
                      {' '}
                      <a href={i.mention.url} target="_blank" rel="noopener noreferrer">
                        Open post
                      </a>
                    </>
                  )}
                </td>
                <td class="num">{duration(i.waiting_minutes * 60)}</td>
                <td class="actions">
                  {i.handed_off_at ? (
                    <span class="muted small">handed off {when(i.handed_off_at)}</span>
                  ) : (
                    helpdesk && (
                      <button type="button" onClick={() => act(i, 'handoff')} aria-label={`Hand off @${i.author.handle}'s ${i.intent} to the helpdesk`}>
                        Hand off
                      </button>
                    )
                  )}
                  <button type="button" class="link" onClick={() => act(i, 'handled')} aria-label={`Mark @${i.author.handle}'s ${i.intent} handled`}>
                    Mark handled
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {(page > 1 || more) && (
        <nav class="pager" aria-label="Queue pages" data-testid="care-pager">
          <button type="button" class="link" disabled={page === 1} onClick={() => setParams({ page: page > 2 ? String(page - 1) : undefined })}>
            Previous
          </button>
          <span>
            Page {page}, items {num((page - 1) * PAGE + 1)}–{num((page - 1) * PAGE + items.length)}
          </span>
          <button type="button" class="link" disabled={!more} onClick={() => setParams({ page: String(page + 1) })}>
            Next
          </button>
        </nav>
      )}
    </Panel>
  );
}

/** One customer across their linked identities, with erasure behind a typed confirmation. */
function Customer({ who }: { who: string }) {
  const [source, ...rest] = who.split(':');
  const id = rest.join(':');
  const path = `/v1/authors/${encodeURIComponent(source ?? '')}/${encodeURIComponent(id)}`;
  const view = useLoad(() => api<AuthorView>(path), [path]);
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const [erased, setErased] = useState<string>();
  const [error, setError] = useState<string>();
  const v = view.data;
  const handle = v?.author.handle ?? id;
  const series = useMemo(
    () => [{ label: 'Mean sentiment', values: (v?.trajectory ?? []).map((t) => t.mean_score), color: '#059669', scale: 'net' as const }],
    [v],
  );
  const erase = async () => {
    setError(undefined);
    try {
      const r = await api<{ erased: unknown[]; removed: Record<string, number> }>(path, { method: 'DELETE' });
      setErased(
        `@${handle} was erased everywhere Earshot keeps their data (${Object.entries(r.removed)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}).`,
      );
      setConfirming(false);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <Panel
      title={`Customer @${handle}`}
      id="customer"
      actions={
        <button type="button" class="link" onClick={() => setParams({ author: undefined })}>
          Close
        </button>
      }
    >
      {erased ? (
        <p role="status" class="notice" data-testid="erased">
          {erased}
        </p>
      ) : (
        <>
          <Problem error={view.error ?? error} />
          {v && (
            <>
              <p class="muted">
                {v.identities.map((i) => `${i.source}:${i.id}`).join(', ')} · {num(v.mentions.length)} mentions · {num(v.open_issues.length)} unanswered
              </p>
              {v.trajectory.length > 1 && (
                <TimeChart
                  x={v.trajectory.map((t) => seconds(t.day))}
                  series={series}
                  height={140}
                  label={`Daily mean sentiment of @${handle}`}
                  yLabel="Mentions per day"
                  netLabel="Mean sentiment score (−1 to 1)"
                />
              )}
              <ul class="mentions" data-testid="customer-mentions">
                {v.mentions.slice(0, 20).map((m) => (
                  <MentionItem key={`${m.source}:${m.id}`} m={m} />
                ))}
              </ul>
              {!confirming ? (
                <button type="button" class="danger" onClick={() => setConfirming(true)}>
                  Erase this customer…
                </button>
              ) : (
                <form
                  class="confirm"
                  onSubmit={(e) => {
                    e.preventDefault();
                    if (typed === handle) void erase();
                  }}
                >
                  <p>
                    Erasing removes every mention, link and care record of @{handle} and the identities linked to them. It cannot be undone. Type{' '}
                    <strong>{handle}</strong> to confirm.
                  </p>
                  <label>
                    Handle
                    <input value={typed} onInput={(e) => setTyped(e.currentTarget.value)} autoComplete="off" />
                  </label>
                  <button type="submit" class="danger" disabled={typed !== handle}>
                    Erase @{handle}
                  </button>{' '}
                  <button type="button" class="link" onClick={() => setConfirming(false)}>
                    Cancel
                  </button>
                </form>
              )}
            </>
          )}
        </>
      )}
    </Panel>
  );
}
