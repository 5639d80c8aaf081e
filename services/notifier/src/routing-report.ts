import type { Alert } from '@earshot/shared';
import { AlertRouter, alertSeverity, reachedChannels } from './route-alert.js';
import type { RoutesFile } from './routes-file.js';

/** What `earshot routes test` prints: each route's decision and reason, then the channels the alert reaches. */
export function routingReport(file: RoutesFile, alert: Alert, at: number): string {
  const decisions = new AlertRouter(file).decide(alert, at);
  const width = Math.max(...decisions.map((d) => d.route.length));
  const lines = decisions.map((d) => {
    const what = d.outcome === 'send' ? `sends to ${d.channels.join(', ')}` : d.outcome === 'digest' ? 'holds it for the digest' : 'does not match';
    return `  ${d.route.padEnd(width)}  ${what} (${d.reason})`;
  });
  const reached = reachedChannels(decisions);
  const digest = decisions.some((d) => d.outcome === 'digest');
  return [
    `${alert.kind} of ${alert.brand}, severity ${alertSeverity(alert)}/10, ${alert.status}, at ${new Date(at).toISOString()}:`,
    ...lines,
    reached.length
      ? `Reaches: ${reached.map((c) => `${c} (${file.channels[c]!.type})`).join(', ')}`
      : `Reaches no channel${digest ? '; it waits for the digest' : ''}.`,
    '',
  ].join('\n');
}
