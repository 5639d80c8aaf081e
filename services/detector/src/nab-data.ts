import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface Series {
  name: string;
  timestamps: string[];
  values: number[];
}

/** A `timestamp,value` CSV (NAB's format, and `earshot detect`'s input). */
export function parseSeriesCsv(text: string, name = 'series'): Series {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0]?.split(',').map((h) => h.trim().toLowerCase()) ?? [];
  const ti = header.indexOf('timestamp');
  const vi = header.indexOf('value');
  if (ti === -1 || vi === -1) throw new Error(`${name}: the first line must name the columns timestamp,value`);
  const timestamps: string[] = [];
  const values: number[] = [];
  lines.slice(1).forEach((line, i) => {
    const cells = line.split(',');
    const v = Number(cells[vi]);
    if (cells[ti] === undefined || cells[ti].trim() === '' || !Number.isFinite(v))
      throw new Error(`${name}: line ${i + 2} is not timestamp,number: "${line.slice(0, 80)}"`);
    timestamps.push(cells[ti].trim());
    values.push(v);
  });
  return { name, timestamps, values };
}

/** NAB's windows name timestamps with microseconds; the CSVs do not. */
export const nabTime = (t: string) => t.replace(/\.\d+$/, '');

/**
 * NAB series with their anomaly windows: `root/data/<category>/*.csv` and the windows in
 * `root/combined_windows.json` or, as in a checkout of numenta/NAB, `root/labels/`.
 */
export function loadNab(root: string): { category: string; series: Series; windows: [string, string][] }[] {
  const labels = existsSync(join(root, 'combined_windows.json')) ? join(root, 'combined_windows.json') : join(root, 'labels', 'combined_windows.json');
  const windows = JSON.parse(readFileSync(labels, 'utf8')) as Record<string, [string, string][]>;
  const out = [];
  for (const category of readdirSync(join(root, 'data')).sort()) {
    for (const file of readdirSync(join(root, 'data', category))
      .filter((f) => f.endsWith('.csv'))
      .sort()) {
      const key = `${category}/${file}`;
      const series = parseSeriesCsv(readFileSync(join(root, 'data', category, file), 'utf8'), key);
      out.push({ category, series, windows: (windows[key] ?? []).map(([a, b]) => [nabTime(a), nabTime(b)] as [string, string]) });
    }
  }
  return out;
}
