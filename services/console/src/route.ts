import { useEffect, useState } from 'preact/hooks';

// Views and their filters live in the URL fragment (#/alerts?brand=globex&range=7d), so a
// link shows the same thing to whoever opens it and the server has one page to serve.

export const VIEWS = ['overview', 'live', 'alerts', 'stories', 'events', 'care', 'sources'] as const;
export type View = (typeof VIEWS)[number];

export interface Route {
  view: View;
  params: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', q = ''] = hash.replace(/^#\/?/, '').split('?');
  const view = (VIEWS as readonly string[]).includes(path) ? (path as View) : 'overview';
  return { view, params: new URLSearchParams(q) };
}

export function href(view: View, params: URLSearchParams | Record<string, string | undefined>): string {
  const p = params instanceof URLSearchParams ? new URLSearchParams(params) : new URLSearchParams();
  if (!(params instanceof URLSearchParams)) for (const [k, v] of Object.entries(params)) if (v) p.set(k, v);
  const s = p.toString();
  return `#/${view}${s ? `?${s}` : ''}`;
}

/** Sets or clears filters in the current URL; the change is a new history entry. */
export function setParams(changes: Record<string, string | undefined>): void {
  const { view, params } = parseRoute(location.hash);
  for (const [k, v] of Object.entries(changes)) {
    if (v) params.set(k, v);
    else params.delete(k);
  }
  location.hash = href(view, params);
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export const RANGES: Record<string, { label: string; ms: number; interval: string }> = {
  '24h': { label: 'Last 24 hours', ms: 86_400_000, interval: '15m' },
  '3d': { label: 'Last 3 days', ms: 3 * 86_400_000, interval: '1h' },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000, interval: '3h' },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000, interval: '12h' },
};

/** The common filters every view reads: brand, source and time range. */
export function filters(params: URLSearchParams, brands: string[]) {
  const range = RANGES[params.get('range') ?? ''] ? params.get('range')! : '3d';
  const r = RANGES[range]!;
  // An explicit from/to (ISO) pins the range, so a shared link shows the same numbers later.
  const pinnedFrom = Date.parse(params.get('from') ?? '');
  const pinnedTo = Date.parse(params.get('to') ?? '');
  const pinned = Number.isFinite(pinnedFrom) && Number.isFinite(pinnedTo) && pinnedFrom < pinnedTo;
  // Rounded to the minute, so views rendered together ask the same range.
  const to = pinned ? pinnedTo : Math.ceil(Date.now() / 60_000) * 60_000;
  const from = pinned ? pinnedFrom : to - r.ms;
  const span = to - from;
  return {
    brand: params.get('brand') || brands[0] || '',
    source: params.get('source') || undefined,
    range: pinned ? 'pinned' : range,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    interval: pinned ? (span <= 2 * 86_400_000 ? '15m' : span <= 10 * 86_400_000 ? '1h' : '12h') : r.interval,
  };
}
export type Filters = ReturnType<typeof filters>;

/** A link to `view` keeping the current filters, with some changed or cleared. */
export function hrefWith(view: View, params: URLSearchParams, changes: Record<string, string | undefined>): string {
  const p = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v) p.set(k, v);
    else p.delete(k);
  }
  return href(view, p);
}
