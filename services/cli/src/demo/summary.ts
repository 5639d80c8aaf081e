import { CareStore, MentionRollups, type ClickHouseClient } from '@earshot/shared';
import type { DemoScenario } from './scenario.js';

/** What the demo stored, per brand, read back from ClickHouse. */
export async function demoSummary(client: ClickHouseClient, scenario: DemoScenario): Promise<string> {
  const rows = await new MentionRollups(client).brandTotals(scenario.start.getTime());
  const lines = rows.map(
    (r) =>
      `  ${r.brand.padEnd(8)} ${String(r.mentions).padStart(6)} mentions  ${pct(r.positive, r.mentions)} positive  ${pct(r.negative, r.mentions)} negative  mean score ${r.mean_score.toFixed(2)}`,
  );
  const care = new CareStore(client);
  const careLines: string[] = [];
  for (const r of rows) {
    if (!r.brand) continue;
    const { total } = await care.stats({ brand: r.brand, from: scenario.start.getTime(), to: scenario.end.getTime() });
    const minutes = (s: number | null) => (s === null ? '–' : `${Math.round(s / 60)} min`);
    const change = total.outcome.change === null ? '–' : `${total.outcome.change > 0 ? '+' : ''}${total.outcome.change.toFixed(2)}`;
    careLines.push(
      `  ${r.brand.padEnd(8)} ${String(total.conversations).padStart(5)} complaints and questions  ${total.response_rate === null ? '  –' : pct(total.answered, total.conversations)} answered  first reply p50 ${minutes(total.first_reply_seconds.p50)}, p90 ${minutes(total.first_reply_seconds.p90)}  sentiment after reply ${change}`,
    );
  }
  const t = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
  return [
    'Stored per brand:',
    ...lines,
    'Customer care:',
    ...careLines,
    `Story: ${scenario.campaign.brand} campaign launch ${t(scenario.campaign.start)}–${t(scenario.campaign.end)} UTC; ` +
      `${scenario.incident.brand} ordering outage ${t(scenario.incident.start)}–${t(scenario.incident.end)} UTC (viral post ${scenario.viral.source}:${scenario.viral.id}).`,
  ].join('\n');
}

const pct = (part: number, whole: number) => `${((part / Math.max(1, whole)) * 100).toFixed(0).padStart(3)}%`;
