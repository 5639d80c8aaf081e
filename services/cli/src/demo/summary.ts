import type { ClickHouseClient } from '@earshot/shared';
import type { DemoScenario } from './scenario.js';

interface BrandRow {
  brand: string;
  n: string;
  n_negative: string;
  n_positive: string;
  mean_score: number;
}

/** What the demo stored, per brand, read back from ClickHouse. */
export async function demoSummary(client: ClickHouseClient, scenario: DemoScenario): Promise<string> {
  const rows = await (
    await client.query({
      query: `SELECT brand, sum(mentions) AS n, sumIf(mentions, sentiment_label = 'negative') AS n_negative,
                     sumIf(mentions, sentiment_label = 'positive') AS n_positive, sum(score_sum) / sum(mentions) AS mean_score
              FROM mention_stats_1m WHERE minute >= {from:DateTime64(3)} GROUP BY brand ORDER BY brand`,
      query_params: { from: scenario.start.toISOString().replace('T', ' ').replace('Z', '') },
      format: 'JSONEachRow',
    })
  ).json<BrandRow>();
  const lines = rows.map(
    (r) =>
      `  ${r.brand.padEnd(8)} ${String(r.n).padStart(6)} mentions  ${pct(r.n_positive, r.n)} positive  ${pct(r.n_negative, r.n)} negative  mean score ${r.mean_score.toFixed(2)}`,
  );
  const t = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ');
  return [
    'Stored per brand:',
    ...lines,
    `Story: ${scenario.campaign.brand} campaign launch ${t(scenario.campaign.start)}–${t(scenario.campaign.end)} UTC; ` +
      `${scenario.incident.brand} ordering outage ${t(scenario.incident.start)}–${t(scenario.incident.end)} UTC (viral post ${scenario.viral.source}:${scenario.viral.id}).`,
  ].join('\n');
}

const pct = (part: string, whole: string) => `${((Number(part) / Math.max(1, Number(whole))) * 100).toFixed(0).padStart(3)}%`;
