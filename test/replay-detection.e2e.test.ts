import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Alert } from '@earshot/shared';
import { tempDir } from './helpers.js';
import { pastMentions } from './past-mentions.js';
import { consoleUrl } from './earshot-process.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');
const MIN = 60_000;

/**
 * Issue #36, detection over past data, on the user's path: the CLI as a subprocess, the
 * real clock, and for --url a real `earshot run` with its live schedule on and API keys.
 */
describe('earshot replay: detection over past data', () => {
  const dir = tempDir();
  const data = join(dir.path, 'data');
  const env = { ...process.env, EARSHOT_LOG_LEVEL: 'silent', EARSHOT_DATA_DIR: data };
  const earshot = (args: string[], more: Record<string, string> = {}) =>
    run('node', [BIN, ...args], { env: { ...env, ...more }, timeout: 300_000 }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
  let server: ChildProcess | undefined;
  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server!.once('exit', r));
    }
    dir.remove();
  });

  // Ten days back: far outside the live schedule's look-back, so only a backfill can see it.
  const hour = Math.floor((Date.now() - 10 * 86_400_000) / 3_600_000) * 3_600_000;
  const file = (brand: string, seed: number) => {
    const past = pastMentions({ brand, start: hour, seed });
    const path = join(dir.path, `${brand}.jsonl`);
    writeFileSync(path, past.mentions.map((m) => `${JSON.stringify(m)}\n`).join(''));
    return { path, ...past };
  };
  /** The printed alert lines' stream times and kinds, for alerts of `brand`. */
  const printed = (stdout: string, brand: string) =>
    [...stdout.matchAll(new RegExp(`^ {2}(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d) UTC +\\d+/10 \\w+ +(\\w+) \\(${brand}\\): `, 'gm'))].map((m) => ({
      at: Date.parse(`${m[1]!.replace(' ', 'T')}:00Z`),
      kind: m[2]!,
    }));
  const duringStorm = (alerts: { at: number; kind: string }[], incident: { start: number; end: number }) =>
    alerts.filter((a) => ['complaint_surge', 'negative_volume_surge'].includes(a.kind) && a.at >= incident.start && a.at <= incident.end + 5 * MIN);

  const acme = file('acme', 36);
  let acmePrinted: { at: number; kind: string }[] = [];

  it('replay FILE stores it, detects over its stream time, prints the alerts; twice stores no duplicate', async () => {
    const first = await earshot(['replay', acme.path]);
    expect(first.stderr).not.toMatch(/\n\s+at /);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(new RegExp(`${acme.mentions.length} accepted, 0 rejected`));
    acmePrinted = printed(first.stdout, 'acme');
    expect(first.stdout).toMatch(/^Alerts raised over .* lists them\):$/m);
    expect(duringStorm(acmePrinted, acme.incident).length, first.stdout).toBeGreaterThan(0);

    const second = await earshot(['replay', acme.path]);
    expect(second.code).toBe(0);
    expect(printed(second.stdout, 'acme')).toEqual(acmePrinted);
  }, 600_000);

  it('against a running server (live schedule on, API keys): --url posts in chunks and backfills', async () => {
    const created = await earshot(['keys', 'create', '--scope', 'write,read', '--name', 'importer']);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    // A body limit far under the default, so the file must go in many chunks.
    server = spawn('node', [BIN, 'run'], { env: { ...env, EARSHOT_PORT: '0', EARSHOT_MAX_BODY_BYTES: '20000' }, stdio: ['ignore', 'ignore', 'pipe'] });
    const url = await consoleUrl(server);
    const get = async (path: string) => {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status, path).toBe(200);
      return res.json() as Promise<{ items: Alert[] }>;
    };

    // What the embedded replay stored is what the server lists.
    const listed = (await get('/v1/alerts?status=all&brand=acme&limit=1000')).items;
    expect(listed.map((a) => a.id).sort()).toEqual([...new Set(listed.map((a) => a.id))].sort());
    expect(listed.map((a) => ({ at: Date.parse(a.opened_at), kind: a.kind })).sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind))).toEqual(
      [...acmePrinted].sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind)),
    );

    // The store is the server's now: the embedded replay says how to reach it instead.
    const locked = await earshot(['replay', acme.path]);
    expect(locked.code).toBe(1);
    expect(locked.stderr).toMatch(/another Earshot process is using it[\s\S]*earshot replay .* --url http:\/\//);
    expect(locked.stderr).not.toMatch(/\n\s+at /);

    const refused = await earshot(['replay', acme.path, '--url', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/needs an API key[\s\S]*--key or EARSHOT_API_KEY/);

    const globex = file('globex', 40);
    const stored = await earshot(['replay', globex.path, '--url', url, '--no-detect'], { EARSHOT_API_KEY: key });
    expect(stored.code, stored.stderr).toBe(0);
    // The import summary only (#40): no detection ran, so no alert report.
    expect(stored.stdout).toMatch(new RegExp(`^ {2}accepted by the server +${globex.mentions.length}$`, 'm'));
    expect(stored.stdout).not.toMatch(/alerts raised/i);
    expect(stored.stderr).not.toMatch(/backfill/);
    expect((await get('/v1/alerts?status=all&brand=globex')).items).toEqual([]);

    const first = await earshot(['replay', globex.path, '--url', url], { EARSHOT_API_KEY: key });
    expect(first.stderr).not.toMatch(/\n\s+at /);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(new RegExp(`${globex.mentions.length} records, ${globex.mentions.length} accepted, 0 rejected`));
    const globexPrinted = printed(first.stdout, 'globex');
    expect(duringStorm(globexPrinted, globex.incident).length, first.stdout).toBeGreaterThan(0);
    const afterFirst = (await get('/v1/alerts?status=all&brand=globex&limit=1000')).items;
    expect(afterFirst.map((a) => ({ at: Date.parse(a.opened_at), kind: a.kind })).sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind))).toEqual(
      [...globexPrinted].sort((a, b) => a.at - b.at || a.kind.localeCompare(b.kind)),
    );

    const second = await earshot(['replay', globex.path, '--url', url, '--key', key]);
    expect(second.code, second.stderr).toBe(0);
    expect(printed(second.stdout, 'globex')).toEqual(globexPrinted);
    const afterSecond = (await get('/v1/alerts?status=all&brand=globex&limit=1000')).items;
    expect(afterSecond.map((a) => a.id).sort()).toEqual(afterFirst.map((a) => a.id).sort());

    // The live schedule ran beside the backfills and is healthy.
    const health = (await (await fetch(`${url}/healthz`)).json()) as { checks: { name: string; ok: boolean }[] };
    expect(health.checks.find((c) => c.name === 'detector.schedule')?.ok).toBe(true);
  }, 600_000);
});
