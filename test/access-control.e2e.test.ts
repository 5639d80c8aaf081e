import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@earshot/cli';
import { mention, tempDir, testConfig, overHttp } from './helpers.js';
import { expectDeclared } from './openapi-answers.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');

/**
 * API keys as a user makes them (`earshot keys create`), then every kind of route with
 * and without the scope it needs (issue #16: anyone who reached the port could read and
 * erase everything).
 */
describe('access control with API keys', () => {
  const dir = tempDir();
  const env = { ...process.env, EARSHOT_DATA_DIR: dir.path, EARSHOT_LOG_LEVEL: 'silent' };
  const keys: Record<string, string> = {};
  let rt: Runtime;
  const call = (method: string, path: string, key?: string, body?: unknown) =>
    fetch(`${rt.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  beforeAll(async () => {
    for (const scope of ['read', 'write', 'care', 'admin'])
      keys[scope] = (await run('node', [BIN, 'keys', 'create', '--scope', scope, '--name', `${scope} key`], { env })).stdout.trim();
    rt = await startRuntime(testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_BRANDS: 'acme=acme' }), overHttp(['ingest', 'api']));
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('keeps only hashes at rest', () => {
    const file = readFileSync(join(dir.path, 'api-keys.json'), 'utf8');
    for (const key of Object.values(keys)) {
      expect(key).toMatch(/^esk_[0-9a-f]{12}_/);
      expect(file).not.toContain(key.slice('esk_'.length + 12 + 1));
    }
  });

  it.each([
    ['GET', '/v1/mentions', 'read', 200],
    ['GET', '/v1/alerts', 'read', 200],
    ['GET', '/v1/brands', 'read', 200],
    ['POST', '/v1/alerts/no-such-alert/acknowledge', 'write', 404],
    ['POST', '/v1/care/queue/acme/twitter/no-such/handled', 'care', 404],
    ['POST', '/v1/mentions', 'write', 202],
    ['POST', '/v1/events', 'write', 202],
    ['DELETE', '/v1/authors/twitter/nobody', 'admin', 200],
  ] as const)('%s %s: 401 without a key, 403 with a narrower one, then with "%s" %i', async (method, path, scope, ok) => {
    const body =
      method === 'POST'
        ? path === '/v1/mentions'
          ? [mention()]
          : { brand: 'acme', kind: 'campaign', title: 'Launch', starts_at: '2026-11-20T08:00:00Z' }
        : undefined;
    const none = await call(method, path, undefined, body);
    expect(none.status).toBe(401);
    expectDeclared(method, path, none.status);
    expect(((await none.json()) as { error: string }).error).toMatch(new RegExp(`needs an API key with the "${scope}" scope`));
    const narrower = scope === 'read' ? null : scope === 'write' ? keys.read : keys.write;
    if (narrower) {
      const refused = await call(method, path, narrower, body);
      expect(refused.status).toBe(403);
      expectDeclared(method, path, refused.status);
      expect(((await refused.json()) as { error: string }).error).toMatch(new RegExp(`needs "${scope}"`));
    }
    expect((await call(method, path, keys[scope], body)).status).toBe(ok);
    expectDeclared(method, path, ok);
    expect((await call(method, path, keys.admin, body)).status).toBe(ok);
  });

  it('linking identities needs admin: a link can make an erasure reach a stranger', async () => {
    expect((await call('PUT', '/v1/authors/twitter/a1/links', keys.write, { links: [{ source: 'reddit', id: 'x' }] })).status).toBe(403);
  });

  it('health, metrics, the OpenAPI document and the console page stay open; a made-up key is refused', async () => {
    for (const path of ['/healthz', '/metrics', '/openapi.json', '/']) expect((await call('GET', path)).status).toBe(200);
    expect((await call('GET', '/v1/mentions', 'esk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(401);
  });

  it('a revoked key is refused from the next request; writes and erasures are in the audit log', async () => {
    const id = keys.read!.split('_')[1]!;
    await run('node', [BIN, 'keys', 'revoke', id], { env });
    expect((await call('GET', '/v1/mentions', keys.read)).status).toBe(401);
    const audit = readFileSync(join(dir.path, 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { key: string; method: string; path: string; status: number });
    expect(audit).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: keys.admin!.split('_')[1], method: 'DELETE', path: '/v1/authors/twitter/nobody', status: 200 })]),
    );
  });
});

describe('binding a public address', () => {
  it('is refused while no API key exists, saying what to do', async () => {
    const dir = tempDir();
    try {
      await expect(startRuntime(testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_HOST: '0.0.0.0' }), overHttp(['api']))).rejects.toThrow(
        /refusing to listen on 0\.0\.0\.0 without API keys.*earshot keys create --scope admin/,
      );
    } finally {
      dir.remove();
    }
  });
});
