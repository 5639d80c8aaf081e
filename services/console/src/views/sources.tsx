import { useMemo } from 'preact/hooks';
import { api, query, type ConnectorHealth, type Health, type Volume } from '../api.js';
import { TimeChart, seconds } from '../chart.js';
import { num, when } from '../format.js';
import { useLoad } from '../load.js';
import { Badge, Panel, Problem, TableHead, numCol } from '../ui.js';
import type { ViewProps } from './props.js';

const COLORS = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
const stateTone = (s: string) => (/fail|error|auth|refused/.test(s) ? 'bad' : /wait|limit|paused|reconnect|backoff|standby/.test(s) ? 'warn' : 'good');

/** Each connector's health, last success and rate-limit state, and mentions per hour by source. */
export function Sources({ f }: ViewProps) {
  const volume = useLoad(
    () => api<Volume>(`/v1/stats/volume${query({ by: 'source', brand: f.brand, from: f.from, to: f.to, interval: '1h' })}`),
    [f.brand, f.from, f.to],
  );
  // /healthz of this process: the connectors run here on the embedded default (with Kafka, in the ingest service).
  const health = useLoad(() => fetch('/healthz').then((r) => r.json() as Promise<Health>), []);
  const connectors = (health.data?.checks.find((c) => c.name === 'ingest.connectors')?.detail as ConnectorHealth[] | undefined) ?? [];
  const hours = (Date.parse(f.to) - Date.parse(f.from)) / 3_600_000;
  const chart = useMemo(() => {
    const v = volume.data;
    if (!v) return null;
    const x = [...new Set(v.buckets.map((b) => seconds(b.start)))].sort((a, b) => a - b);
    const at = new Map(x.map((t, i) => [t, i]));
    const series = v.totals.map((t, i) => {
      const values = x.map(() => 0);
      for (const b of v.buckets) if (b.key === t.key) values[at.get(seconds(b.start))!] = b.mentions;
      return { label: t.key, values, color: COLORS[i % COLORS.length]! };
    });
    return { x, series };
  }, [volume.data]);
  return (
    <div class="stack">
      <Panel title="Connectors">
        <Problem error={health.error} />
        {health.data && connectors.length === 0 && (
          <p class="empty">
            No connectors run in this process. Sources are configured in the brands file (EARSHOT_BRANDS_FILE, see docs/connectors.md); with Kafka they run in
            the ingest service, whose /healthz lists them.
          </p>
        )}
        {connectors.length > 0 && (
          <table data-testid="connectors">
            <TableHead cols={['Connector', 'Brand', 'State', 'Last success', 'Rate limit / errors', numCol('Mentions')]} />
            <tbody>
              {connectors.map((c) => (
                <tr key={c.connector}>
                  <th scope="row">
                    {c.connector} <span class="muted small">{c.type}</span>
                  </th>
                  <td>{c.brand || 'all'}</td>
                  <td>
                    <Badge tone={stateTone(c.state)}>{c.state}</Badge>
                  </td>
                  <td>{when(c.last_success_at)}</td>
                  <td class="small">
                    {c.next_attempt_at && <div>waiting until {when(c.next_attempt_at)}</div>}
                    {c.failures > 0 && (
                      <div>
                        {c.failures} failures: {c.last_error}
                      </div>
                    )}
                    {c.notice && <div>{c.notice.message}</div>}
                    {!c.next_attempt_at && !c.failures && !c.notice && <span class="muted">none</span>}
                  </td>
                  <td class="num">{num(c.mentions)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>
      <Panel title={`Mentions of ${f.brand} by source`}>
        <Problem error={volume.error} />
        {chart && chart.x.length > 0 && (
          <TimeChart x={chart.x} series={chart.series} height={220} label={`Mentions of ${f.brand} per hour by source`} yLabel="Mentions per hour" />
        )}
        <table data-testid="source-volume">
          <TableHead cols={['Source', numCol('Mentions'), numCol('Per hour')]} />
          <tbody>
            {(volume.data?.totals ?? []).map((t) => (
              <tr key={t.key}>
                <th scope="row">{t.key}</th>
                <td class="num">{num(t.mentions)}</td>
                <td class="num">{(t.mentions / hours).toFixed(1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Panel>
    </div>
  );
}
