import { useMemo } from 'preact/hooks';
import { api, query, type Incident, type CampaignEvent, type SentimentStats, type Volume } from '../api.js';
import { MIN_NET_MENTIONS, TimeChart, emptyBucket, everyBucket, netWhenCounted, seconds, stepSeconds } from '../chart.js';
import { num, pct, per, signed, when } from '../format.js';
import { useLoad } from '../load.js';
import { href, hrefWith } from '../route.js';
import { Badge, Panel, Problem, Stat, TableHead, numCol } from '../ui.js';
import type { ViewProps } from './props.js';

/** Volume, net sentiment, share of voice and sources for one brand, its events on the time axis, its open incidents. */
export function Overview({ f, params }: ViewProps) {
  const stats = useLoad(
    () => api<SentimentStats>(`/v1/stats/sentiment${query({ brand: f.brand, source: f.source, from: f.from, to: f.to, interval: f.interval })}`),
    [f.brand, f.source, f.from, f.to],
  );
  const voice = useLoad(
    () => api<Volume>(`/v1/stats/volume${query({ by: 'brand', source: f.source, from: f.from, to: f.to, interval: f.interval })}`),
    [f.source, f.from, f.to],
  );
  const bySource = useLoad(
    () => api<Volume>(`/v1/stats/volume${query({ by: 'source', brand: f.brand, from: f.from, to: f.to, interval: f.interval })}`),
    [f.brand, f.from, f.to],
  );
  const events = useLoad(
    () => api<{ items: CampaignEvent[] }>(`/v1/events${query({ brand: f.brand, from: f.from, to: f.to, limit: 200 })}`),
    [f.brand, f.from, f.to],
  );
  const alerts = useLoad(() => api<{ items: Incident[] }>(`/v1/incidents${query({ brand: f.brand, status: 'open' })}`), [f.brand]);

  const buckets = stats.data?.buckets ?? [];
  const totals = buckets.reduce((t, b) => ({ n: t.n + b.mentions, neg: t.neg + b.negative, pos: t.pos + b.positive }), { n: 0, neg: 0, pos: 0 });
  const net = totals.n ? (totals.pos - totals.neg) / totals.n : null;
  const chart = useMemo(() => {
    const all = everyBucket(buckets, f.from, f.to, stepSeconds(f.interval), emptyBucket);
    return {
      x: all.map((b) => seconds(b.start)),
      series: [
        { label: 'Mentions', values: all.map((b) => b.mentions), color: '#2563eb', bars: true },
        { label: 'Negative', values: all.map((b) => b.negative), color: '#dc2626' },
        { label: 'Net sentiment', values: all.map(netWhenCounted), color: '#059669', scale: 'net' as const },
      ],
    };
  }, [stats.data]);
  const markers = useMemo(() => (events.data?.items ?? []).map((e) => ({ at: seconds(e.starts_at), label: e.title })), [events.data]);
  const share = voice.data?.totals.find((t) => t.key === f.brand)?.share;
  const open = alerts.data?.items ?? [];
  // Until an answer comes (or when it failed), a dash: never a false "0".
  const known = stats.data ? totals : undefined;

  return (
    <div class="grid">
      <div class="stats" data-testid="overview-stats">
        <Stat label="Mentions" value={<span data-testid="total-mentions">{num(known?.n)}</span>} hint={`${f.brand}${f.source ? ` on ${f.source}` : ''}`} />
        <Stat
          label="Net sentiment"
          value={<span data-testid="net-sentiment">{signed(net)}</span>}
          hint="(positive − negative) / mentions"
          tone={net !== null && net < 0 ? 'bad' : 'good'}
        />
        <Stat label="Negative" value={pct(known?.n ? known.neg / known.n : null)} hint={`${num(known?.neg)} mentions`} tone="bad" />
        <Stat label="Share of voice" value={pct(share ?? null)} hint="of the tracked brands' mentions" />
        <Stat
          label="Open incidents"
          value={
            <a href={href('alerts', params)} data-testid="open-incidents">
              {num(alerts.data ? open.length : null)}
            </a>
          }
          hint={open.length ? `${num(open.reduce((n, i) => n + i.alerts.length, 0))} alerts in them` : undefined}
          tone={open.length || !alerts.data ? 'bad' : 'good'}
        />
      </div>
      <Panel title="Volume and sentiment">
        <Problem error={stats.error ?? events.error} />
        {buckets.length ? (
          <TimeChart
            x={chart.x}
            series={chart.series}
            markers={markers}
            label={`Mentions, negative mentions and net sentiment of ${f.brand} ${per(f.interval)}, with ${markers.length} events marked`}
            yLabel={`Mentions ${per(f.interval)}`}
          />
        ) : (
          stats.data && <p class="empty">No mentions of {f.brand} in this range.</p>
        )}
        <p class="muted small">
          Net sentiment is drawn only where a bucket has at least {MIN_NET_MENTIONS} mentions.
          {markers.length > 0 && ` Dashed lines: ${f.brand}'s own events (campaigns, launches, incidents).`}
        </p>
      </Panel>
      <Panel title="Share of voice">
        <Problem error={voice.error} />
        <ul class="bars" aria-label="Share of voice by brand">
          {(voice.data?.totals ?? []).map((t) => (
            <li key={t.key} class={t.key === f.brand ? 'current' : ''}>
              <span class="bar-label" title={t.key}>
                {t.key}
              </span>
              <span class="bar-track">
                <span class="bar-fill" style={{ width: `${Math.max(1, t.share * 100)}%` }} />
              </span>
              <span class="bar-value">
                {pct(t.share, 1)} <span class="muted">({num(t.mentions)})</span>
              </span>
            </li>
          ))}
        </ul>
      </Panel>
      <Panel title="By source">
        <Problem error={bySource.error} />
        <div class="table-scroll">
          <table>
            <TableHead cols={['Source', numCol('Mentions'), numCol('Share'), numCol('Net sentiment')]} />
            <tbody>
              {(bySource.data?.totals ?? []).map((t) => (
                <tr key={t.key}>
                  <th scope="row">{t.key}</th>
                  <td class="num">{num(t.mentions)}</td>
                  <td class="num">{pct(t.share)}</td>
                  <td class="num">{signed(t.net_sentiment)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Panel>
      <Panel title="Open incidents">
        <Problem error={alerts.error} />
        {alerts.data && open.length === 0 && <p class="empty">No open incidents for {f.brand}.</p>}
        <ul class="alert-list">
          {open.slice(0, 8).map((i) => (
            <li key={i.id}>
              <Badge tone={i.severity === 'critical' ? 'bad' : i.severity === 'warning' ? 'warn' : 'soft'}>
                {i.severity_score ? `${i.severity_score}/10` : i.severity}
              </Badge>{' '}
              <a href={hrefWith('alerts', params, { id: i.alerts[0]!.id })}>{i.alerts[0]!.kind.replace(/_/g, ' ')}</a>{' '}
              <span class="muted">
                {when(i.opened_at)} · {i.alerts.length === 1 ? '1 alert' : `${i.alerts.length} alerts`}
              </span>
              <div class="small">{i.headline}</div>
            </li>
          ))}
        </ul>
      </Panel>
    </div>
  );
}
