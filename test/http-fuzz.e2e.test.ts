import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom } from '@earshot/shared';
import { openApiDocument } from '@earshot/api';
import { startRuntime, type Runtime } from '@earshot/cli';
import { mention, tempDir, testConfig, overHttp, postAndDrain } from './helpers.js';
import { expectDeclared } from './openapi-answers.js';

type Param = { name: string; in: string; schema?: { type?: string; enum?: readonly string[] } };
type Operation = { parameters?: readonly Param[] };

const SEED = Number(process.env.EARSHOT_FUZZ_SEED ?? 20261126);
const CASES_PER_OPERATION = Number(process.env.EARSHOT_FUZZ_CASES ?? 25);

/** Values a careless or hostile client sends: wrong types, edges, odd text, huge sizes. */
const NASTY = [
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '99999-01-01',
  '2026-02-30T25:61:00Z',
  '1969-12-31T23:59:59Z',
  "'; DROP TABLE mentions; --",
  '{brand:String}',
  '%00',
  '\u0000',
  '\uFFFD',
  '../../etc/passwd',
  'ü🙂'.repeat(40),
  'x'.repeat(5000),
  '5m',
  '0s',
  '1y',
  'twitter',
  'acme',
  'helpdesk',
];

const BODIES: (string | undefined)[] = [
  undefined,
  '',
  'not json',
  '{',
  'null',
  '[]',
  '[null]',
  '{"links": "x"}',
  '{"title": 1, "starts_at": "yesterday"}',
  JSON.stringify({ brand: 'acme', kind: 'campaign', title: 'x'.repeat(600), starts_at: '2026-11-20T08:00:00Z' }),
  '['.repeat(5000) + ']'.repeat(5000),
  JSON.stringify(Array.from({ length: 3 }, () => ({ id: 'a', text: 5 }))),
  'title,starts_at\n"unterminated,2026-01-01\n',
  'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:nonsense\nEND:VEVENT\nEND:VCALENDAR',
];

/**
 * Every operation of the OpenAPI description, called with seeded random nasty values in
 * its path and query parameters and nasty bodies, against a running embedded Earshot
 * with data in it. No answer may be a 5xx, every answer must be one the document declares
 * for the operation, and every 4xx must say why in `error`.
 * EARSHOT_FUZZ_SEED and EARSHOT_FUZZ_CASES widen the search.
 */
describe('HTTP fuzzing from the OpenAPI description', () => {
  const dir = tempDir();
  let rt: Runtime;
  const rand = seededRandom(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

  beforeAll(async () => {
    const brands = join(dir.path, 'brands.yaml');
    writeFileSync(
      brands,
      'brands:\n  - id: acme\n    query: acme\n    sources:\n      - type: webhook\n        name: helpdesk\n        secret_env: EARSHOT_FUZZ_HOOK_SECRET\n',
    );
    process.env.EARSHOT_FUZZ_HOOK_SECRET = 'fuzz-secret';
    rt = await startRuntime(
      testConfig({ EARSHOT_DATA_DIR: join(dir.path, 'data'), EARSHOT_BRANDS_FILE: brands, EARSHOT_RATE_LIMIT_PER_MINUTE: '0' }),
      overHttp(['ingest', 'classifier', 'writer', 'api']),
    );
    await postAndDrain(rt, [Array.from({ length: 20 }, () => mention())]);
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  const operations = Object.entries(openApiDocument.paths as unknown as Record<string, Record<string, Operation | readonly Param[]>>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => method !== 'parameters')
      .map(([method, op]) => ({
        path,
        method: method.toUpperCase(),
        params: [...((item.parameters as readonly Param[] | undefined) ?? []), ...((op as Operation).parameters ?? [])],
      })),
  );

  it.each(operations.map((o) => [`${o.method} ${o.path}`, o] as const))('%s: no 5xx, every answer declared, every 4xx with a reason', async (_label, op) => {
    const seen: string[] = [];
    for (let i = 0; i < CASES_PER_OPERATION; i++) {
      // Now and then a path segment that is not valid percent-encoding at all.
      let url = op.path.replace(/\{(\w+)\}/g, () => (rand() < 0.1 ? '%E0%A4%A' : encodeURIComponent(pick(NASTY))));
      const query = new URLSearchParams();
      for (const p of op.params.filter((x) => x.in === 'query')) {
        const r = rand();
        if (r < 0.3) continue;
        query.set(p.name, r < 0.5 && p.schema?.enum ? pick(p.schema.enum) : pick(NASTY));
      }
      if (query.size) url += `?${query}`;
      const body = op.method === 'GET' || op.method === 'DELETE' ? undefined : pick(BODIES);
      const headers: Record<string, string> = { 'content-type': pick(['application/json', 'application/x-ndjson', 'text/csv', 'text/plain']) };
      if (op.path.startsWith('/v1/hooks/') && rand() < 0.5) headers.authorization = 'Bearer fuzz-secret';
      const res = await fetch(`${rt.url}${url}`, { method: op.method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      const what = `${op.method} ${url.slice(0, 200)} body ${JSON.stringify(body?.slice(0, 80))} → ${res.status} ${text.slice(0, 200)}`;
      seen.push(String(res.status));
      expect(res.status, what).toBeLessThan(500);
      expectDeclared(op.method, op.path, res.status, what);
      if (res.status >= 400) {
        const reason = (() => {
          try {
            return (JSON.parse(text) as { error?: unknown }).error;
          } catch {
            return undefined;
          }
        })();
        expect(typeof reason === 'string' && reason.length > 0, `no reason: ${what}`).toBe(true);
      }
    }
    expect(seen).toHaveLength(CASES_PER_OPERATION);
  });
});
