import { EventTable, MentionTable, type Alert, type CampaignEvent, type ClickHouseClient } from '@earshot/shared';
import { escapeHtml, kindLabel } from '@earshot/api';
import { alertSeverity } from './route-alert.js';

export interface SamplePost {
  source: string;
  id: string;
  url?: string;
  text?: string;
  author?: string;
}

/** What a message about an alert shows beyond the alert: its sample posts' texts and the brand's events around it. */
export interface AlertContext {
  samples: SamplePost[];
  events: Pick<CampaignEvent, 'title' | 'kind' | 'starts_at' | 'url'>[];
}

const DAY = 86_400_000;

/** Reads the sample posts' texts and the events of the day before the alert's window from the store. */
export async function loadAlertContext(client: ClickHouseClient, a: Alert): Promise<AlertContext> {
  const keys = a.sample_mentions.slice(0, 5).map((m) => [m.source, m.id] as const);
  const rows = keys.length ? await new MentionTable(client).rows(keys) : [];
  const byKey = new Map(rows.map((r) => [`${String(r.source)}:${String(r.id)}`, r]));
  const samples = a.sample_mentions.slice(0, 5).map((m) => {
    const r = byKey.get(`${m.source}:${m.id}`);
    return { ...m, ...(r ? { text: String(r.text), author: String(r.author_handle) } : {}), ...(m.url || r?.url ? { url: m.url ?? String(r!.url) } : {}) };
  });
  const events = await new EventTable(client).list({ brand: a.brand, from: Date.parse(a.window_start) - DAY, to: Date.parse(a.window_end) + 1, limit: 5 });
  return { samples, events };
}

const verb = (a: Alert) => (a.status === 'open' ? 'opened' : a.status === 'resolved' ? 'resolved' : 'updated');
const time = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** The console page of one alert, where it is acknowledged. */
export const acknowledgeUrl = (consoleUrl: string, a: Alert) =>
  `${consoleUrl.replace(/\/+$/, '')}/#/alerts?${new URLSearchParams({ brand: a.brand, status: 'all', id: a.id })}`;

/**
 * An alert as an email: a subject naming brand, kind and severity; a plain-text part and an
 * HTML part (inline styles, no scripts) with the headline, what rose, sample posts with
 * links, the linked events and a link to acknowledge it in the console.
 */
export function alertEmail(a: Alert, ctx: AlertContext, opts: { consoleUrl: string }) {
  const severity = `${alertSeverity(a)}/10 ${a.severity}`;
  const headline = `${kindLabel(a.kind)} ${verb(a)} for ${a.brand}: ${a.summary}`;
  const rose = [
    `${a.observed} observed against about ${a.expected} expected (normal range ${a.band[0]}–${a.band[1]}), ${time(a.window_start)} – ${time(a.window_end)}`,
    ...(a.explanation?.terms.length ? [`Words that rose: ${a.explanation.terms.join(', ')}`] : []),
    ...(a.explanation?.sources.length ? [`Carried by: ${a.explanation.sources.map((s) => `${s.source} ${s.mentions}`).join(', ')}`] : []),
  ];
  const ack = acknowledgeUrl(opts.consoleUrl, a);
  const post = (p: SamplePost) => `${p.author ? `@${p.author} on ` : ''}${p.source}: ${p.text ?? p.id}`;
  const text = [
    headline,
    `Severity: ${severity}`,
    '',
    'What rose:',
    ...rose.map((r) => `  ${r}`),
    '',
    ...(ctx.samples.length ? ['Sample posts:', ...ctx.samples.map((p) => `  - ${post(p)}${p.url ? `\n    ${p.url}` : ''}`), ''] : []),
    ...(ctx.events.length ? ['Linked events:', ...ctx.events.map((e) => `  - ${e.title} (${e.kind}, ${time(e.starts_at)})`), ''] : []),
    `Acknowledge: ${ack}`,
    '',
  ].join('\n');
  const e = escapeHtml;
  const tone = a.status === 'resolved' ? '#15803d' : a.severity === 'critical' ? '#b91c1c' : a.severity === 'warning' ? '#b45309' : '#374151';
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${e(headline)}</title></head>
<body style="margin:0;padding:0;background:#f9fafb;">
<div style="max-width:640px;margin:0 auto;padding:24px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;color:#111827;line-height:1.4;">
<p style="margin:0 0 4px;font-size:13px;font-weight:700;color:${tone};text-transform:uppercase;">Severity ${e(severity)}</p>
<h1 style="font-size:20px;margin:0 0 16px;">${e(headline)}</h1>
<h2 style="font-size:15px;margin:16px 0 6px;">What rose</h2>
<ul style="padding-left:20px;margin:0;">${rose.map((r) => `<li>${e(r)}</li>`).join('')}</ul>
${
  ctx.samples.length
    ? `<h2 style="font-size:15px;margin:16px 0 6px;">Sample posts</h2><ul style="padding-left:20px;margin:0;">${ctx.samples
        .map((p) => `<li style="margin-bottom:6px;">${e(post(p))}${p.url ? ` <a href="${e(p.url)}" style="color:#2563eb;">open</a>` : ''}</li>`)
        .join('')}</ul>`
    : ''
}
${
  ctx.events.length
    ? `<h2 style="font-size:15px;margin:16px 0 6px;">Linked events</h2><ul style="padding-left:20px;margin:0;">${ctx.events
        .map((ev) => `<li>${e(ev.title)} (${e(ev.kind)}, ${e(time(ev.starts_at))})</li>`)
        .join('')}</ul>`
    : ''
}
<p style="margin:24px 0 0;"><a href="${e(ack)}" style="display:inline-block;padding:10px 16px;background:#2563eb;color:#ffffff;text-decoration:none;border-radius:6px;">Acknowledge in Earshot</a></p>
</div>
</body></html>
`;
  return { subject: `[Earshot ${severity}] ${a.brand}: ${kindLabel(a.kind).toLowerCase()} ${verb(a)}`, text, html };
}
