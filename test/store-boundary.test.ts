import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

// A ClickHouse statement, or a call that sends one.
const STATEMENT =
  /\b(SELECT\s+[\w*`(]|INSERT\s+INTO|ALTER\s+TABLE|CREATE\s+(TABLE|VIEW|MATERIALIZED)|OPTIMIZE\s+TABLE|TRUNCATE\s+TABLE|DROP\s+TABLE)|\.(query|command|insert)\(\{\s*(query|table):/;

/** The one exception, and why: the SQL it sends is the Grafana dashboards', which live in their JSON. */
const EXCEPTIONS: Record<string, string> = {
  'services/cli/src/commands/bench-queries.ts': "times the dashboards' own SQL as Grafana sends it",
};

/**
 * Every table has one home: statements live in `shared/src/store/`, services call its
 * repositories. This fails when a service, the CLI or another shared module speaks SQL.
 */
describe('the store boundary', () => {
  it('no ClickHouse statement outside shared/src/store', () => {
    const files = [...sources(join(ROOT, 'services')), ...sources(join(ROOT, 'shared/src')).filter((f) => !f.includes(join('shared', 'src', 'store') + '/'))];
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.filter((f) => STATEMENT.test(readFileSync(f, 'utf8'))).map((f) => relative(ROOT, f));
    expect(offenders.sort()).toEqual(Object.keys(EXCEPTIONS).sort());
  });
});
