/**
 * The Grafana ClickHouse plugin's macros and Earshot's template variables, expanded the
 * way Grafana sends them, so dashboard SQL can run outside Grafana (tests, benchmarks).
 */
export interface MacroValues {
  from: number;
  to: number;
  intervalS: number;
  brand: string;
  source: string;
}

export function expandGrafanaMacros(sql: string, v: MacroValues): string {
  const s = (ms: number) => Math.floor(ms / 1000);
  return sql
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_m, col: string) => `${col} >= toDateTime(${s(v.from)}) AND ${col} <= toDateTime(${s(v.to)})`)
    .replace(/\$__timeInterval\(([^)]+)\)/g, (_m, col: string) => `toStartOfInterval(toDateTime(${col}), INTERVAL ${v.intervalS} second)`)
    .replace(/\$__interval_s/g, String(v.intervalS))
    .replace(/\$__fromTime\b/g, `toDateTime(${s(v.from)})`)
    .replace(/\$__toTime\b/g, `toDateTime(${s(v.to)})`)
    .replaceAll('${brand}', v.brand)
    .replaceAll('${source}', v.source);
}
