import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { sampleAlert } from '../services/notifier/src/test-support/sample-alert.js';
import { parseRoutesFile } from '@earshot/notifier';
import { tempDir } from './helpers.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');
const EXAMPLE = join(import.meta.dirname, '../infra/routes/routes.example.yaml');
const earshot = (args: string[], env: Record<string, string> = {}) =>
  run('node', [BIN, ...args], { env: { ...process.env, EARSHOT_LOG_LEVEL: 'silent', ...env }, timeout: 60_000 }).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

/** `earshot routes test` as a user runs it, on the example routes file the docs describe. */
describe('earshot routes test', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const alertFile = (over: Record<string, unknown>) => {
    const path = join(dir.path, `alert-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(
      path,
      JSON.stringify(
        sampleAlert({ id: 'complaint_surge:acme:complaint:2026-11-20T08:00:00.000Z', brand: 'acme', summary: '40 complaints in 15 min', ...over }),
      ),
    );
    return path;
  };

  it('the example file is valid', () => {
    expect(parseRoutesFile(EXAMPLE, readFileSync(EXAMPLE, 'utf8')).routes.map((r) => r.name)).toEqual([
      'pr',
      'marketing',
      'ops',
      'pager',
      'care',
      'audit',
      'digests',
      'globex-digest',
    ]);
  });

  it('prints the channels an alert reaches, and why each route sends, holds or passes', async () => {
    const day = await earshot(['routes', 'test', '--alert', alertFile({}), '--at', '2026-11-20T10:00:00Z'], { EARSHOT_ROUTES_FILE: EXAMPLE });
    expect(day.code).toBe(0);
    expect(day.stdout).toMatch(/^ {2}pr +sends to pr-email, pr-slack \(severity 7 ≥ 6\)$/m);
    expect(day.stdout).toMatch(/^ {2}pager +does not match \(severity 7 is below 9\)$/m);
    expect(day.stdout).toMatch(/^Reaches: pr-email \(email\), pr-slack \(slack\), audit-webhook \(webhook\)$/m);

    const night = await earshot(['routes', 'test', '--alert', alertFile({}), '--at', '2026-11-20T23:30:00Z', '--routes', EXAMPLE]);
    expect(night.stdout).toMatch(/^ {2}pr +holds it for the digest \(quiet hours \(22:00-07:00\) at fri 23:30 Europe\/London\)$/m);
    expect(night.stdout).toMatch(/^Reaches: audit-webhook \(webhook\)$/m);
  });

  it('explains a missing routes file and a file that is not an alert', async () => {
    const none = await earshot(['routes', 'test', '--alert', alertFile({})]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/EARSHOT_ROUTES_FILE/);
    const bad = await earshot(['routes', 'test', '--alert', alertFile({ severity_score: 12 })], { EARSHOT_ROUTES_FILE: EXAMPLE });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not an alert: .*severity_score/);
  });
});
