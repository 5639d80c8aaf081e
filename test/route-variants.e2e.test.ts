import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@earshot/cli';
import { openApiDocument } from '@earshot/api';
import { mention, tempDir, testConfig, overHttp } from './helpers.js';
import { declaredStatuses } from './openapi-answers.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');

/** Every operation of the OpenAPI document, its path template filled with sample values. */
const FILL: Record<string, string> = { source: 'twitter', id: 'nobody', name: 'nohook', brand: 'acme', conversation: 'c1' };
const OPERATIONS = Object.entries(openApiDocument.paths as Record<string, Record<string, unknown>>).flatMap(([template, item]) =>
  Object.keys(item)
    .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
    .map((m) => ({ method: m.toUpperCase(), template, path: template.replace(/\{(\w+)\}/g, (_, p: string) => FILL[p] ?? 'x') })),
);

/** The same path as a client might spell it: literal segments upper-cased or capitalised, a trailing slash. */
function variants(template: string, path: string): string[] {
  const literal = template.split('/');
  const spell = (f: (s: string) => string) =>
    path
      .split('/')
      .map((seg, i) => (literal[i]?.includes('{') ? seg : f(seg)))
      .join('/');
  const upper = spell((s) => s.toUpperCase());
  const mixed = spell((s) => s.charAt(0).toUpperCase() + s.slice(1));
  return [...new Set([upper, mixed, `${path}/`, `${upper}/`, `${mixed}/`])].filter((v) => v !== path);
}

const bodyFor = (method: string, template: string): string | undefined => {
  if (method === 'GET' || method === 'DELETE') return undefined;
  if (template === '/v1/mentions') return JSON.stringify([mention()]);
  if (template === '/v1/events') return JSON.stringify({ brand: 'acme', kind: 'campaign', title: 'Launch', starts_at: '2026-11-20T08:00:00Z' });
  if (template.endsWith('/links')) return JSON.stringify({ links: [{ source: 'reddit', id: 'x' }] });
  return '{}';
};

interface Answer {
  status: number;
  error?: string;
}
const noRoute = (a: Answer) => a.status === 404 && /^no route for /.test(a.error ?? '');
/** Refused before any handler ran: no key or scope, rate-limited, or no route at all. */
const refusedBeforeHandler = (a: Answer) => a.status === 401 || a.status === 403 || a.status === 429 || noRoute(a);

async function call(url: string, method: string, path: string, template: string, key?: string): Promise<Answer> {
  const body = bodyFor(method, template);
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    ...(body ? { body } : {}),
  });
  const text = await res.text();
  let error: string | undefined;
  try {
    error = (JSON.parse(text) as { error?: string }).error;
  } catch {
    // Not JSON (the console page, metrics): no reason to read.
  }
  return { status: res.status, error };
}

/**
 * Issue #35 (defect 1): Express matched routes in any letter case and with a trailing
 * slash while the key and rate-limit guards compared the raw path, so a `write` key erased
 * authors through DELETE /V1/AUTHORS/… and /V1/STATS/volume escaped the rate limit.
 */
describe('a route spelled in another letter case or with a trailing slash', () => {
  it('the document has the routes this test walks', () => {
    expect(OPERATIONS.length).toBeGreaterThan(20);
    expect(OPERATIONS).toContainEqual(expect.objectContaining({ method: 'DELETE', template: '/v1/authors/{source}/{id}' }));
  });

  describe('with API keys of scope read and write', () => {
    const dir = tempDir();
    const env = { ...process.env, EARSHOT_DATA_DIR: dir.path, EARSHOT_LOG_LEVEL: 'silent' };
    const keys: Record<string, string> = {};
    let rt: Runtime;
    beforeAll(async () => {
      for (const scope of ['read', 'write'])
        keys[scope] = (await run('node', [BIN, 'keys', 'create', '--scope', scope, '--name', `${scope} key`], { env })).stdout.trim();
      rt = await startRuntime(
        testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_BRANDS: 'acme=acme', EARSHOT_RATE_LIMIT_PER_MINUTE: '0' }),
        overHttp(['ingest', 'api']),
      );
    });
    afterAll(async () => {
      await rt?.stop();
      dir.remove();
    });

    it.each(['read', 'write'])('no variant reaches a handler a "%s" key may not reach as written', async (scope) => {
      const key = keys[scope]!;
      const slipped: string[] = [];
      let refusedAsWritten = 0;
      for (const { method, template, path } of OPERATIONS) {
        const asWritten = await call(rt.url!, method, path, template, key);
        // Every documented route exists as written.
        expect(noRoute(asWritten), `${method} ${path}`).toBe(false);
        if (asWritten.status !== 403) continue;
        refusedAsWritten++;
        for (const v of variants(template, path)) {
          const answer = await call(rt.url!, method, v, template, key);
          if (!refusedBeforeHandler(answer)) slipped.push(`${method} ${v} → ${answer.status} ${answer.error ?? ''}`);
        }
      }
      // A read key is refused every write; a write key is refused erasure and links (admin) and care actions.
      expect(refusedAsWritten).toBeGreaterThanOrEqual(scope === 'read' ? 10 : 4);
      expect(slipped).toEqual([]);
    });
  });

  describe('under the rate limit', () => {
    const dir = tempDir();
    let rt: Runtime;
    beforeAll(async () => {
      rt = await startRuntime(testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_RATE_LIMIT_PER_MINUTE: '1' }), overHttp(['ingest', 'api']));
    });
    afterAll(async () => {
      await rt?.stop();
      dir.remove();
    });

    it('no variant of a limited read escapes the limit', async () => {
      // The one request of this minute; every limited read after it answers 429.
      expect((await call(rt.url!, 'GET', '/v1/mentions', '/v1/mentions')).status).toBe(200);
      const limited: string[] = [];
      const escaped: string[] = [];
      for (const { method, template, path } of OPERATIONS.filter((o) => o.method === 'GET')) {
        if ((await call(rt.url!, method, path, template)).status !== 429) continue;
        limited.push(template);
        for (const v of variants(template, path)) {
          const answer = await call(rt.url!, method, v, template);
          if (answer.status !== 429 && !noRoute(answer)) escaped.push(`${method} ${v} → ${answer.status}`);
        }
      }
      // The reads the document declares a 429 for, found by asking the server.
      const documented = OPERATIONS.filter((o) => o.method === 'GET' && declaredStatuses('GET', o.path).includes('429')).map((o) => o.template);
      expect(documented).toEqual(expect.arrayContaining(['/v1/mentions', '/v1/stats/volume', '/v1/authors/{source}/{id}', '/v1/events/{id}/impact']));
      expect(limited.sort()).toEqual(documented.sort());
      expect(escaped).toEqual([]);
    });
  });
});
