import { render } from 'preact';
import { useState } from 'preact/hooks';
import './styles.css';
import { api, apiKey, query, type Volume } from './api.js';
import { useLoad } from './load.js';
import { RANGES, VIEWS, filters, href, setParams, useRoute, type View } from './route.js';
import { Overview } from './views/overview.js';
import { Live } from './views/live.js';
import { Alerts } from './views/alerts.js';
import { Events } from './views/events.js';
import { Care } from './views/care.js';
import { Sources } from './views/sources.js';
import { Stories } from './views/stories.js';
import { PastDataBanner } from './past-data.js';

const TITLES: Record<View, string> = {
  overview: 'Overview',
  live: 'Live stream',
  alerts: 'Alerts',
  stories: 'Stories',
  events: 'Events & impact',
  care: 'Customer care',
  sources: 'Sources',
};

function KeyForm({ onDone }: { onDone: () => void }) {
  const [value, setValue] = useState(apiKey.get());
  const [remember, setRemember] = useState(apiKey.remembered());
  return (
    <form
      class="key-form"
      onSubmit={(e) => {
        e.preventDefault();
        apiKey.set(value.trim(), remember);
        onDone();
      }}
    >
      <label>
        API key{' '}
        <span class="muted">
          (kept in this tab until it closes; create one with <code>earshot keys create --scope read</code>)
        </span>
        <input type="password" value={value} onInput={(e) => setValue(e.currentTarget.value)} autoComplete="off" />
      </label>
      <label class="muted remember">
        <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} /> Remember on this device
      </label>
      <button type="submit">Save</button>
    </form>
  );
}

function App() {
  const route = useRoute();
  const [keyOpen, setKeyOpen] = useState(false);
  const [keyTick, setKeyTick] = useState(0);
  const brands = useLoad(() => api<{ items: { brand: string; latest: string | null }[] }>('/v1/brands'), [keyTick]);
  const sources = useLoad(
    () => api<Volume>(`/v1/stats/volume${query({ by: 'source', from: new Date(Date.now() - 30 * 86_400_000).toISOString() })}`),
    [keyTick],
  );
  const brandNames = brands.data?.items.map((b) => b.brand) ?? [];
  const f = filters(route.params, brandNames);
  const needsKey = brands.error && /API key/.test(brands.error);
  const View = { overview: Overview, live: Live, alerts: Alerts, stories: Stories, events: Events, care: Care, sources: Sources }[route.view];
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="logo" href={href('overview', route.params)} aria-label="Earshot overview">
          <span aria-hidden="true">◉</span> Earshot
        </a>
        <nav aria-label="Views">
          {VIEWS.map((v) => (
            <a key={v} href={href(v, route.params)} aria-current={v === route.view ? 'page' : undefined}>
              {TITLES[v]}
            </a>
          ))}
        </nav>
        <div class="filters" role="group" aria-label="Filters">
          <label>
            Brand
            <select value={f.brand} onChange={(e) => setParams({ brand: e.currentTarget.value })}>
              {brandNames.map((b) => (
                <option key={b}>{b}</option>
              ))}
            </select>
          </label>
          <label>
            Source
            <select value={f.source ?? ''} onChange={(e) => setParams({ source: e.currentTarget.value })}>
              <option value="">All sources</option>
              {(sources.data?.totals ?? []).map((s) => (
                <option key={s.key}>{s.key}</option>
              ))}
            </select>
          </label>
          <label>
            Time
            <select value={f.range} onChange={(e) => setParams({ range: e.currentTarget.value, from: undefined, to: undefined })}>
              {f.range === 'pinned' && <option value="pinned">{`${f.from.slice(0, 16)} – ${f.to.slice(0, 16)}`}</option>}
              {Object.entries(RANGES).map(([k, r]) => (
                <option key={k} value={k}>
                  {r.label}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="link" onClick={() => setKeyOpen(!keyOpen)} aria-expanded={keyOpen}>
            API key
          </button>
        </div>
      </header>
      {(keyOpen || needsKey) && (
        <KeyForm
          onDone={() => {
            setKeyOpen(false);
            setKeyTick((t) => t + 1);
          }}
        />
      )}
      <main id="main" tabIndex={-1}>
        <h1>{TITLES[route.view]}</h1>
        {brands.error && (
          <p class="problem" role="alert">
            {brands.error}
          </p>
        )}
        {brands.data && brandNames.length === 0 && (
          <p class="empty">No mentions stored and no brand configured yet. Start a source, replay a file (earshot replay) or run the demo (npm start).</p>
        )}
        {/* Without a valid key every panel would fail alike: one prompt above, no panels, no false zeros. */}
        {f.brand && !needsKey && <PastDataBanner brand={f.brand} latest={brands.data?.items.find((b) => b.brand === f.brand)?.latest ?? null} f={f} />}
        {f.brand && !needsKey && <View f={f} params={route.params} key={keyTick} />}
      </main>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = '';
render(<App />, root);
