import type { Alert } from '@earshot/shared';

/**
 * An opened alert as the CLI prints it (the demo, `earshot replay`): stream time, severity,
 * kind, brand and summary, then what carried it and one link, when known. `withDate` for
 * spans longer than a day (a replayed file), the time of day alone otherwise (the demo).
 */
export function alertLines(a: Alert, at: number, { withDate = false } = {}): string[] {
  const stamp = new Date(at)
    .toISOString()
    .slice(withDate ? 0 : 11, 16)
    .replace('T', ' ');
  const lines = [`  ${stamp} UTC  ${String(a.severity_score ?? '–').padStart(2)}/10 ${a.severity.padEnd(8)} ${a.kind} (${a.brand}): ${a.summary}`];
  const carried = a.explanation?.sources.map((s) => `${s.source} ${s.mentions}`).join(', ');
  const link = a.sample_mentions.find((m) => m.url)?.url;
  if (carried || link) lines.push(`${' '.repeat(stamp.length + 17)}${[carried && `carried by ${carried}`, link && `e.g. ${link}`].filter(Boolean).join('; ')}`);
  return lines;
}
