import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query, type Mention } from '../api.js';
import { when } from '../format.js';
import { setParams } from '../route.js';
import { MentionItem, Panel, Problem } from '../ui.js';
import { DownloadCsv } from '../download.js';
import type { ViewProps } from './props.js';

const INTENTS = ['complaint', 'question', 'praise', 'purchase_intent', 'churn_risk', 'feature_request'];
const POLL_MS = 5000;

/** The newest mentions as they are stored (polled every few seconds), filtered in the URL. */
export function Live({ f, params }: ViewProps) {
  const filter = {
    brand: f.brand,
    source: f.source,
    sentiment: params.get('sentiment') ?? undefined,
    intent: params.get('intent') ?? undefined,
    lang: params.get('lang') ?? undefined,
    q: params.get('q') ?? undefined,
  };
  const key = JSON.stringify(filter);
  const [items, setItems] = useState<Mention[]>([]);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [error, setError] = useState<string>();
  const [updated, setUpdated] = useState<string>();
  const [paused, setPaused] = useState(false);
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    seen.current = null;
    let live = true;
    const poll = async () => {
      try {
        const page = await api<{ items: Mention[] }>(`/v1/mentions${query({ ...filter, limit: 50 })}`);
        if (!live) return;
        const ids = page.items.map((m) => `${m.source}:${m.id}`);
        // Mentions not in the previous answer are marked new (none on the first load).
        setFresh(new Set(seen.current ? ids.filter((id) => !seen.current!.has(id)) : []));
        seen.current = new Set(ids);
        setItems(page.items);
        setUpdated(new Date().toISOString());
        setError(undefined);
      } catch (err) {
        if (live) setError((err as Error).message);
      }
    };
    void poll();
    const timer = paused ? undefined : setInterval(poll, POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [key, paused]);
  const [text, setText] = useState(filter.q ?? '');
  return (
    <Panel
      title="Newest mentions"
      actions={
        <span class="muted small" aria-live="polite">
          {paused ? 'Paused' : `Updates every ${POLL_MS / 1000} s`}
          {updated && `, last ${when(updated)}`}{' '}
          <button type="button" class="link" onClick={() => setPaused(!paused)}>
            {paused ? 'Resume' : 'Pause'}
          </button>{' '}
          <DownloadCsv filter={filter} name={`mentions-${filter.brand ?? 'all'}`} />
        </span>
      }
    >
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          setParams({ q: text.trim() || undefined });
        }}
      >
        <label>
          Sentiment
          <select value={filter.sentiment ?? ''} onChange={(e) => setParams({ sentiment: e.currentTarget.value })}>
            <option value="">Any</option>
            <option value="negative">Negative</option>
            <option value="neutral">Neutral</option>
            <option value="positive">Positive</option>
          </select>
        </label>
        <label>
          Intent
          <select value={filter.intent ?? ''} onChange={(e) => setParams({ intent: e.currentTarget.value })}>
            <option value="">Any</option>
            {INTENTS.map((i) => (
              <option key={i} value={i}>
                {i.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Language
          <input size={4} value={filter.lang ?? ''} placeholder="en" onChange={(e) => setParams({ lang: e.currentTarget.value.trim().toLowerCase() })} />
        </label>
        <label>
          Text
          <input type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="words in the post" />
        </label>
        <button type="submit">Search</button>
      </form>
      <Problem error={error} />
      {items.length === 0 && !error && <p class="empty">No mentions match.</p>}
      <ul class="mentions" data-testid="live-mentions">
        {items.map((m) => (
          <MentionItem key={`${m.source}:${m.id}`} m={m} fresh={fresh.has(`${m.source}:${m.id}`)} />
        ))}
      </ul>
    </Panel>
  );
}
