import { useMemo } from 'preact/hooks';
import { api, query, type Story, type StoryDetail } from '../api.js';
import { TimeChart, seconds } from '../chart.js';
import { num, pct, when } from '../format.js';
import { useLoad } from '../load.js';
import { hrefWith, setParams } from '../route.js';
import { Badge, Panel, Problem, sentimentTone } from '../ui.js';
import type { ViewProps } from './props.js';

const SORTS = { rising: 'Rising', volume: 'Most mentioned' } as const;

/** How a story's volume moved against the same length of time before the range. */
export function growth(s: Pick<Story, 'mentions' | 'previous_mentions' | 'new'>): string {
  if (s.new || s.previous_mentions === 0) return 'new';
  const change = s.mentions / s.previous_mentions - 1;
  return `${change >= 0 ? '+' : ''}${Math.round(change * 100)}%`;
}

/** What people talk about: the brand's stories in the range, rising or by volume, and one story in detail. */
export function Stories({ f, params }: ViewProps) {
  const sort = params.get('sort') === 'volume' ? 'volume' : 'rising';
  const id = params.get('story');
  const list = useLoad(
    () => api<{ items: Story[] }>(`/v1/stories${query({ brand: f.brand, from: f.from, to: f.to, sort, limit: 50 })}`),
    [f.brand, f.from, f.to, sort],
  );
  const items = list.data?.items ?? [];
  return (
    <div class="split">
      <Panel
        title={`Stories about ${f.brand}`}
        actions={
          <div class="tabs" role="group" aria-label="Order">
            {(Object.keys(SORTS) as (keyof typeof SORTS)[]).map((s) => (
              <button key={s} type="button" aria-pressed={s === sort} onClick={() => setParams({ sort: s })}>
                {SORTS[s]}
              </button>
            ))}
          </div>
        }
      >
        <Problem error={list.error} />
        {list.data && items.length === 0 && <p class="empty">No stories of {f.brand} in this range.</p>}
        <ul class="alert-list" data-testid="story-list">
          {items.map((s) => (
            <li key={s.id} aria-current={s.id === id ? 'true' : undefined}>
              <a href={hrefWith('stories', params, { story: s.id })}>{s.label}</a> {s.new && <Badge tone="warn">new</Badge>}
              <div class="small">
                {num(s.mentions)} mentions ({growth(s)}) · {pct(s.mentions ? s.negative / s.mentions : null)} negative · {pct(s.complaint_share)} complaints ·{' '}
                <span class="muted">last {when(s.last_seen)}</span>
              </div>
            </li>
          ))}
        </ul>
      </Panel>
      {id ? (
        <StoryPanel id={id} />
      ) : (
        <Panel title="Details">
          <p class="empty">Choose a story to see its timeline, sources and posts.</p>
        </Panel>
      )}
    </div>
  );
}

function StoryPanel({ id }: { id: string }) {
  const story = useLoad(() => api<StoryDetail>(`/v1/stories/${encodeURIComponent(id)}`), [id]);
  const s = story.data;
  const chart = useMemo(() => {
    if (!s) return null;
    const x = s.timeline.map((b) => seconds(b.hour));
    return {
      x,
      series: [
        { label: 'Mentions', values: s.timeline.map((b) => b.mentions), color: '#2563eb', bars: true },
        { label: 'Negative', values: s.timeline.map((b) => b.negative), color: '#dc2626' },
        { label: 'Complaints', values: s.timeline.map((b) => b.complaints), color: '#d97706' },
      ],
    };
  }, [s]);
  if (!s) return <Panel title="Details">{story.error ? <Problem error={story.error} /> : <p class="muted">Loading…</p>}</Panel>;
  return (
    <Panel title={s.label} id="story-detail">
      <dl class="facts" data-testid="story-facts">
        <dt>Mentions</dt>
        <dd>
          {num(s.totals.mentions)} ({pct(s.totals.mentions ? s.totals.negative / s.totals.mentions : null)} negative, {pct(s.totals.complaint_share)}{' '}
          complaints)
        </dd>
        <dt>Seen</dt>
        <dd>
          {when(s.first_seen)} – {when(s.last_seen)}
        </dd>
        <dt>Sources</dt>
        <dd>{s.sources.map((x) => `${x.source} ${num(x.mentions)}`).join(', ')}</dd>
      </dl>
      {chart && chart.x.length > 0 && (
        <TimeChart x={chart.x} series={chart.series} height={180} label={`Mentions of the story "${s.label}" per hour`} yLabel="Mentions per hour" />
      )}
      <h3>Posts</h3>
      <ul class="mentions" data-testid="story-posts">
        {s.posts.map((p) => (
          <li key={`${p.source}:${p.id}`}>
            <div class="mention-meta">
              <Badge tone={sentimentTone(p.sentiment)}>{p.sentiment}</Badge> {p.source} {p.author_handle && `@${p.author_handle}`}{' '}
              <span class="muted">{when(p.created_at)}</span>
            </div>
            <p class="mention-text">{p.url ? <a href={p.url}>{p.text}</a> : p.text}</p>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
