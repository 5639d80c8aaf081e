import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createGenerator } from 'ts-json-schema-generator';
import Ajv from 'ajv';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createMetrics, systemClock } from '@earshot/shared';
import { DEMO_BRANDS_ENV, expandGrafanaMacros, runDemo, startRuntime, type DemoScenario, type Runtime } from '@earshot/cli';
import { freshMetrics, quietLogger, tempDir, testConfig } from './helpers.js';

const DIR = join(import.meta.dirname, '../dashboards/grafana/dashboards');
const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
const dashboards = files.map((f) => ({ file: f, json: JSON.parse(readFileSync(join(DIR, f), 'utf8')) }));

const Datasource = z.object({ type: z.enum(['grafana-clickhouse-datasource', 'prometheus']), uid: z.enum(['earshot-clickhouse', 'earshot-prometheus']) });
/** The parts of Grafana's dashboard model (schemaVersion 39) these dashboards use. */
const Dashboard = z.object({
  uid: z.string().regex(/^[a-z0-9-]{1,40}$/),
  title: z.string().min(1),
  schemaVersion: z.number().int().min(36),
  time: z.object({ from: z.string(), to: z.string() }),
  templating: z.object({
    list: z.array(z.object({ name: z.string(), type: z.enum(['query', 'custom', 'interval', 'textbox']), datasource: Datasource, query: z.string() })),
  }),
  annotations: z.object({ list: z.array(z.object({ name: z.string(), datasource: Datasource, target: z.object({ rawSql: z.string() }) })) }),
  panels: z
    .array(
      z.object({
        id: z.number().int().positive(),
        type: z.enum(['timeseries', 'table', 'piechart', 'barchart', 'stat', 'gauge']),
        title: z.string().min(1),
        datasource: Datasource,
        gridPos: z.object({
          h: z.number().int().positive(),
          w: z.number().int().min(1).max(24),
          x: z.number().int().min(0).max(23),
          y: z.number().int().min(0),
        }),
        targets: z.array(z.object({ refId: z.string(), datasource: Datasource, rawSql: z.string().optional(), expr: z.string().optional() })).min(1),
      }),
    )
    .min(1),
});

/**
 * Grafana's own dashboard model: the JSON schema generated from the `Dashboard` type
 * that @grafana/schema publishes. One exception: the schema types an annotation's
 * `target` as the built-in annotation query, while a data-source annotation (ours,
 * ClickHouse SQL) carries that data source's query there, as Grafana accepts; those
 * targets are checked by the model above instead.
 */
const officialSchema = (() => {
  const require = createRequire(import.meta.url);
  const path = require.resolve('@grafana/schema').replace(/dist\/.*$/, 'dist/types/raw/dashboard/x/types.gen.d.ts');
  const schema = createGenerator({ path, type: 'Dashboard', skipTypeCheck: true, expose: 'export', topRef: true }).createSchema('Dashboard');
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
})();

describe('Grafana dashboards', () => {
  it.each(dashboards.map((d) => [d.file, d.json]))("%s validates against Grafana's dashboard schema", (_f, json) => {
    const copy = structuredClone(json);
    for (const a of copy.annotations.list) delete a.target;
    const ok = officialSchema(copy);
    expect(ok, JSON.stringify(officialSchema.errors?.slice(0, 5))).toBe(true);
  });

  it.each(dashboards.map((d) => [d.file, d.json]))('%s follows the dashboard model', (_f, json) => {
    const parsed = Dashboard.safeParse(json);
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    const ids = parsed.data!.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of parsed.data!.panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
  });

  it('has the six dashboards with distinct uids', () => {
    expect(dashboards.map((d) => d.json.title).sort()).toEqual(
      ['Brand overview', 'Campaign impact', 'Customer care', 'Ops complaints', 'PR early warning', 'Pipeline health'].map((t) => `Earshot · ${t}`).sort(),
    );
    expect(new Set(dashboards.map((d) => d.json.uid)).size).toBe(dashboards.length);
  });

  it('charts only metrics that Earshot exports', () => {
    const exported = createMetrics({ defaultMetrics: false })
      .registry.getMetricsAsArray()
      .map((m) => m.name);
    const used = dashboards.flatMap((d) => d.json.panels.flatMap((p: any) => p.targets.map((t: any) => t.expr).filter(Boolean)));
    expect(used.length).toBeGreaterThan(0);
    for (const expr of used) for (const [name] of expr.matchAll(/earshot_[a-z_]+/g)) expect(exported, expr).toContain(name.replace(/_(bucket|sum|count)$/, ''));
  });
});

/** Every ClickHouse query of every dashboard, macros expanded, against the demo's data in chDB. */
describe('dashboard queries on the demo data', () => {
  const dir = tempDir();
  const config = testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_BRANDS: DEMO_BRANDS_ENV, EARSHOT_DETECT_CRON: '0 0 1 1 *' });
  let rt: Runtime;
  let scenario: DemoScenario;
  beforeAll(async () => {
    rt = await startRuntime(config, { services: ['ingest', 'classifier', 'writer', 'detector'], metrics: freshMetrics(), logger: quietLogger() });
    scenario = await runDemo(rt, config, { clock: systemClock, seconds: 0 });
    for (let t = scenario.incident.start.getTime(); t < scenario.incident.start.getTime() + 10 * 60_000; t += 60_000) await rt.detector!.runOnce(t);
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  const queries = dashboards.flatMap((d) => [
    ...d.json.panels.flatMap((p: any) =>
      p.targets.filter((t: any) => t.rawSql).map((t: any) => ({ name: `${d.json.title} / ${p.title}`, sql: t.rawSql as string, type: p.type as string })),
    ),
    ...d.json.templating.list
      .filter((v: any) => v.datasource.type === 'grafana-clickhouse-datasource')
      .map((v: any) => ({ name: `${d.json.title} / $${v.name}`, sql: v.query as string, type: 'variable' })),
    ...d.json.annotations.list.map((a: any) => ({ name: `${d.json.title} / annotation ${a.name}`, sql: a.target.rawSql as string, type: 'annotation' })),
  ]);

  it.each(queries.map((q) => [q.name, q]))('%s returns rows of the expected shape', async (_n, q) => {
    const sql = expandGrafanaMacros(q.sql, { from: scenario.start.getTime(), to: scenario.end.getTime(), intervalS: 3600, brand: 'globex', source: '%' });
    const result = await rt.deps.store!.client.query({ query: sql, format: 'JSONCompactEachRowWithNamesAndTypes' });
    const [names, types, ...rows] = await result.json<unknown[]>();
    expect(rows.length, sql).toBeGreaterThan(0);
    if (q.type === 'timeseries') {
      expect(names![0]).toBe('time');
      expect(String(types![0])).toMatch(/^DateTime/);
      expect(String(types![1])).toMatch(/Int|Float|Decimal/);
    }
    if (q.type === 'annotation') expect(names).toEqual(['time', 'timeEnd', 'text', 'tags']);
  });
});
