import type { Digest } from './digest.js';

/** Text made safe for HTML element content and attribute values. */
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const pct = (x: number | null | undefined, signed = false) =>
  x === null || x === undefined ? '–' : `${signed && x > 0 ? '+' : ''}${Math.round(x * 1000) / 10}%`;
const num = (x: number) => x.toLocaleString('en-US');
const signed = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(2)}`;
const minutes = (m: number | null | undefined) => (m === null || m === undefined ? '–' : m < 120 ? `${Math.round(m)} min` : `${(m / 60).toFixed(1)} h`);
const day = (iso: string) => iso.slice(0, 16).replace('T', ' ') + ' UTC';
export const kindLabel = (kind: string) => kind.charAt(0).toUpperCase() + kind.slice(1).replace(/_/g, ' ');

// Inline styles only: mail clients drop <style> blocks and never run scripts.
const CELL = 'padding:6px 10px;border-bottom:1px solid #e5e7eb;text-align:left;vertical-align:top;';
const HEAD = `${CELL}background:#f3f4f6;font-weight:600;`;
const H2 = 'font-size:16px;margin:24px 0 8px;color:#111827;';

const row = (cells: string[], style = CELL) => `<tr>${cells.map((c) => `<td style="${style}">${c}</td>`).join('')}</tr>`;
const table = (head: string[], rows: string[]) =>
  `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse;width:100%;font-size:14px;">${row(head, HEAD)}${rows.join('')}</table>`;

const titleOf = (d: Digest) => `${d.brand}: your ${d.period === 'day' ? 'daily' : 'weekly'} digest`;

/** The digest as plain text (an email's text part, a chat message): its figures, alerts, events and care, one line each. */
export function digestText(d: Digest): string {
  const lines = [
    titleOf(d),
    `${day(d.from)} to ${day(d.to)}, against the ${d.period} before`,
    '',
    `Mentions: ${num(d.volume.mentions)} (previous ${num(d.volume.previous)}, ×${d.volume.change.ratio})`,
    `Share of voice: ${pct(d.share_of_voice.share)} (previous ${pct(d.share_of_voice.previous)})`,
    `Net sentiment: ${signed(d.net_sentiment.value)} (95% CI ${signed(d.net_sentiment.ci95[0]!)} to ${signed(d.net_sentiment.ci95[1]!)}; previous ${signed(d.net_sentiment.previous)})`,
    `Complaint rate: ${pct(d.complaint_rate.rate)} (previous ${pct(d.complaint_rate.previous)})`,
    ...(d.new_terms.length ? [`New in the conversation: ${d.new_terms.map((t) => `“${t}”`).join(', ')}`] : []),
    '',
    `Alerts: ${d.alerts.count}; median acknowledgement ${minutes(d.alerts.acknowledge_minutes_p50)}, median resolution ${minutes(d.alerts.resolve_minutes_p50)}`,
    ...d.alerts.items.map(
      (a) =>
        `  - ${kindLabel(a.kind)} (${a.severity_score ? `${a.severity_score}/10 ` : ''}${a.severity}): ${a.summary}; ${
          a.acknowledge_minutes === undefined ? 'not acknowledged' : `acknowledged after ${minutes(a.acknowledge_minutes)}`
        }, ${a.resolve_minutes === undefined ? 'open' : `resolved after ${minutes(a.resolve_minutes)}`}${a.assignee ? `, assigned to ${a.assignee}` : ''}`,
    ),
    ...(d.events.length ? ['', 'Events:', ...d.events.map((v) => `  - ${v.event.title}: ${v.verdict}`)] : []),
    '',
    d.care.conversations
      ? `Care: ${num(d.care.answered)} of ${num(d.care.conversations)} complaints and questions answered (${pct(d.care.response_rate)})`
      : 'Care: no complaints or questions to answer',
    '',
  ];
  return lines.join('\n');
}

/** The digest as an HTML page a mail client renders: inline styles, tables, no scripts. */
export function digestHtml(d: Digest): string {
  const e = escapeHtml;
  const title = titleOf(d);
  const figures = table(
    ['', 'This ' + d.period, 'Previous ' + d.period, 'Change'],
    [
      row([
        '<strong>Mentions</strong>',
        num(d.volume.mentions),
        num(d.volume.previous),
        `×${d.volume.change.ratio} (95% CI ${d.volume.change.ci95.join('–')})`,
      ]),
      row([
        '<strong>Share of voice</strong>',
        pct(d.share_of_voice.share),
        pct(d.share_of_voice.previous),
        `${pct(d.share_of_voice.change.difference, true)} points`,
      ]),
      row([
        '<strong>Net sentiment</strong>',
        `${signed(d.net_sentiment.value)} (95% CI ${signed(d.net_sentiment.ci95[0]!)} to ${signed(d.net_sentiment.ci95[1]!)})`,
        signed(d.net_sentiment.previous),
        signed(d.net_sentiment.change.difference),
      ]),
      row([
        '<strong>Complaint rate</strong>',
        pct(d.complaint_rate.rate),
        pct(d.complaint_rate.previous),
        `${pct(d.complaint_rate.change.difference, true)} points`,
      ]),
    ],
  );
  const alerts = d.alerts.items.length
    ? table(
        ['Alert', 'Severity', 'Opened', 'Detected after', 'Acknowledged after', 'Resolved after'],
        d.alerts.items.map((a) =>
          row([
            `<strong>${e(kindLabel(a.kind))}</strong><br>${e(a.summary)}${a.terms?.length ? `<br><span style="color:#6b7280;">rose: ${e(a.terms.join(', '))}</span>` : ''}`,
            a.severity_score ? `${a.severity_score}/10 ${e(a.severity)}` : e(a.severity),
            e(day(a.opened_at)),
            minutes(a.detection_minutes),
            a.acknowledge_minutes === undefined ? 'not yet' : `${minutes(a.acknowledge_minutes)} (${e(a.acknowledged_by ?? '')})`,
            `${a.resolve_minutes === undefined ? 'open' : minutes(a.resolve_minutes)}${a.assignee ? `<br><span style="color:#6b7280;">assigned to ${e(a.assignee)}</span>` : ''}`,
          ]),
        ),
      )
    : '<p style="color:#6b7280;">No alerts this period.</p>';
  const events = d.events.length
    ? `<ul style="padding-left:20px;">${d.events.map((v) => `<li style="margin-bottom:6px;"><strong>${e(v.event.title)}</strong> (${e(v.event.kind)}, ${e(day(v.event.starts_at))}): ${e(v.verdict)}</li>`).join('')}</ul>`
    : '<p style="color:#6b7280;">No events this period.</p>';
  const care = d.care.conversations
    ? `<p>${num(d.care.answered)} of ${num(d.care.conversations)} complaints and questions answered (${pct(d.care.response_rate)}); first reply after ${minutes(d.care.first_reply_seconds.p50 === null ? null : d.care.first_reply_seconds.p50 / 60)} (median), ${minutes(d.care.first_reply_seconds.p90 === null ? null : d.care.first_reply_seconds.p90 / 60)} (90th percentile).</p>`
    : '<p style="color:#6b7280;">No complaints or questions to answer this period.</p>';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${e(title)}</title></head>
<body style="margin:0;padding:0;background:#f9fafb;">
<div style="max-width:680px;margin:0 auto;padding:24px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;color:#111827;line-height:1.4;">
<h1 style="font-size:20px;margin:0 0 4px;">${e(title)}</h1>
<p style="margin:0 0 16px;color:#6b7280;">${e(day(d.from))} to ${e(day(d.to))}, against the ${d.period} before</p>
${figures}
${d.new_terms.length ? `<p><strong>New in the conversation:</strong> ${e(d.new_terms.map((t) => `“${t}”`).join(', '))}</p>` : ''}
<h2 style="${H2}">Alerts (${d.alerts.count}; median detection ${minutes(d.alerts.detection_minutes_p50)}, median acknowledgement ${minutes(d.alerts.acknowledge_minutes_p50)}, median resolution ${minutes(d.alerts.resolve_minutes_p50)})</h2>
${alerts}
<h2 style="${H2}">Events</h2>
${events}
<h2 style="${H2}">Customer care</h2>
${care}
</div>
</body></html>
`;
}
