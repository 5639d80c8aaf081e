import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mentionsRawTopic, topicName } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { eventually, overHttp, tempDir, testConfig } from './helpers.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');

/** GET /v1/dead-letters: what was refused and why, for an admin, as a person would look it up. */
describe('dead letters over the API', () => {
  const dir = tempDir();
  const env = { ...process.env, EARSHOT_DATA_DIR: dir.path, EARSHOT_LOG_LEVEL: 'silent' };
  const keys: Record<string, string> = {};
  let rt: Runtime;
  const get = (path: string, key: string) => fetch(`${rt.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    for (const scope of ['read', 'admin']) keys[scope] = (await run('node', [BIN, 'keys', 'create', '--scope', scope], { env })).stdout.trim();
    const config = testConfig({ EARSHOT_DATA_DIR: dir.path });
    rt = await startRuntime(config, overHttp(['classifier', 'writer', 'api']));
    // Two messages no consumer can read, as a broken producer would send them.
    await rt.deps.bus.publish(topicName(config, mentionsRawTopic.name), [
      { key: 'a', value: '{"id": "x1", "text": "no source"}' },
      { key: 'b', value: 'not json at all' },
    ]);
    await rt.drain();
  });
  afterAll(async () => {
    await rt?.stop().catch(() => undefined);
    dir.remove();
  });

  it('lists each refused message with its stage and reason, and counts them by reason', async () => {
    const body = await eventually(async () => {
      const res = await get('/v1/dead-letters', keys.admin!);
      expect(res.status).toBe(200);
      const b = (await res.json()) as {
        items: { stage: string; reason: string; payload: string }[];
        reasons: { reason: string; count: number }[];
        total: number;
      };
      return b.total >= 2 ? b : undefined;
    });
    if (!body) throw new Error('the two dead letters were never stored');
    expect(body.total).toBe(2);
    expect(body.items.map((i) => i.stage)).toEqual(['classifier.decode', 'classifier.decode']);
    expect(body.items.find((i) => i.payload === 'not json at all')?.reason).toMatch(/not JSON/);
    expect(body.items.find((i) => i.payload.includes('x1'))?.reason).toMatch(/source/);
    expect(body.reasons.reduce((n, r) => n + r.count, 0)).toBe(2);
    const filtered = (await (await get('/v1/dead-letters?origin=nowhere', keys.admin!)).json()) as { total: number };
    expect(filtered.total).toBe(0);
  });

  it('is for admin keys only: the payloads are people’s posts', async () => {
    const res = await get('/v1/dead-letters', keys.read!);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toMatch(/needs "admin"/);
  });

  it('earshot dead-letters prints the same, by reason, from the store', async () => {
    await rt.stop();
    const { stdout } = await run('node', [BIN, 'dead-letters', '--since', '1d'], { env });
    expect(stdout).toMatch(/^2 dead letters since .*, by reason:$/m);
    expect(stdout).toMatch(/^\s+1 {2}earshot\.mentions\.raw\.v1 {2}classifier\.decode {2}payload is not JSON/m);
    expect(stdout).toContain('not json at all');
  });
});
