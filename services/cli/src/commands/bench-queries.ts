import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, fillSyntheticMentions, loadConfig, migrate, openStore } from '@earshot/shared';
import { fmt } from '../progress.js';
import { expandGrafanaMacros } from '../grafana-macros.js';

const DASHBOARDS = join(dirname(fileURLToPath(import.meta.url)), '../../../../dashboards/grafana/dashboards');
const DAY = 86_400_000;

/** The brand dashboards' ClickHouse panels over 30 days, macros expanded as Grafana would. */
function dashboardQueries(from: number, to: number, brand: string): { name: string; sql: string }[] {
  const out: { name: string; sql: string }[] = [];
  for (const file of readdirSync(DASHBOARDS).filter((f) => f.endsWith('.json') && f !== 'pipeline-health.json')) {
    const d = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8'));
    for (const p of d.panels)
      for (const t of p.targets)
        if (t.rawSql)
          out.push({
            name: `${d.title.replace('Earshot · ', '')} / ${p.title}`,
            sql: expandGrafanaMacros(String(t.rawSql), { from, to, intervalS: 3600, brand, source: '%' }),
          });
  }
  return out;
}

/**
 * `earshot bench queries [--count N]`: fills a fresh store with N synthetic mentions
 * (default 10 million; 5 brands, 6 sources, 90 days) through the real tables and
 * materialized views, then times every brand-dashboard query over 30 days and prints
 * p50/p95 per query and overall.
 */
export async function benchQueriesCommand(opts: { count: number; runs: number }): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'earshot-bench-queries-'));
  const config = loadConfig({ ...process.env, EARSHOT_DATA_DIR: dataDir, EARSHOT_LOG_LEVEL: 'warn' });
  const store = await openStore(config);
  try {
    await migrate(store.client, createLogger('warn'));
    const end = Math.floor(Date.now() / DAY) * DAY;
    const start = end - 90 * DAY;
    const chunk = 1_000_000;
    const t0 = Date.now();
    for (let done = 0; done < opts.count; done += chunk) {
      const n = Math.min(chunk, opts.count - done);
      await fillSyntheticMentions(store.client, { offset: done, count: n, start });
      process.stderr.write(`\r  stored ${fmt(done + n)}/${fmt(opts.count)} synthetic mentions (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    process.stderr.write('\n');
    const queries = dashboardQueries(end - 30 * DAY, end, 'acme');
    const all: number[] = [];
    const lines: string[] = [];
    for (const q of queries) {
      const times: number[] = [];
      for (let i = 0; i < opts.runs; i++) {
        const t = performance.now();
        await (await store.client.query({ query: q.sql, format: 'JSONEachRow' })).json();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      lines.push(
        `  ${q.name.padEnd(52)} p50 ${times[Math.floor(times.length / 2)]!.toFixed(0).padStart(5)} ms   p95 ${times[Math.floor(times.length * 0.95)]!.toFixed(0).padStart(5)} ms`,
      );
    }
    all.sort((a, b) => a - b);
    process.stdout.write(
      [
        `30-day brand dashboard queries over ${fmt(opts.count)} stored mentions (chDB, ${opts.runs} runs each):`,
        ...lines,
        `  all queries: p50 ${all[Math.floor(all.length / 2)]!.toFixed(0)} ms, p95 ${all[Math.floor(all.length * 0.95)]!.toFixed(0)} ms`,
      ].join('\n') + '\n',
    );
  } finally {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
