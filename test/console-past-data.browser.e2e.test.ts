import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { pastMentions } from './past-mentions.js';
import { consoleUrl, stopEarshot } from './earshot-process.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');
const CHROMIUM = process.env.EARSHOT_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)`);

/**
 * Issue #36, the console on past data: history imported with `earshot replay` (ten days
 * old, outside the default range) seen in chromium, as a user opens it after the import.
 */
describe.skipIf(!haveChromium)('web console on imported past data', () => {
  const dir = tempDir();
  // Configured but nothing stored yet: the picker offers it all the same.
  const env = { ...process.env, EARSHOT_DATA_DIR: join(dir.path, 'data'), EARSHOT_LOG_LEVEL: 'silent', EARSHOT_BRANDS: 'initech=initech' };
  const start = Math.floor((Date.now() - 10 * 86_400_000) / 3_600_000) * 3_600_000;
  const past = pastMentions({ brand: 'acme', start, seed: 7 });
  let child: ChildProcess | undefined;
  let browser: Browser;
  let url = '';

  beforeAll(async () => {
    const file = join(dir.path, 'acme.jsonl');
    writeFileSync(file, past.mentions.map((m) => `${JSON.stringify(m)}\n`).join(''));
    await run('node', [BIN, 'replay', file, '--no-detect'], { env, timeout: 300_000 });
    child = spawn('node', [BIN, 'run', 'api'], { env: { ...env, EARSHOT_PORT: '0' }, stdio: ['ignore', 'ignore', 'pipe'] });
    url = await consoleUrl(child);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    if (child) await stopEarshot(child);
    dir.remove();
  });

  it('lists stored and configured brands, offers the stored days, dates old posts', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${url}/#/overview`);
    const picker = page.getByLabel('Brand');
    await expect.poll(() => picker.locator('option').allTextContents(), { timeout: 20_000 }).toEqual(['acme', 'initech']);

    // The default range (the last 3 days) holds none of it: the banner says when the data is.
    const banner = page.getByRole('status').filter({ hasText: 'No mentions of acme in this range' });
    await expect.poll(() => banner.textContent(), { timeout: 20_000 }).toMatch(/the latest stored is from \d{1,2} \w{3} \d{4}, \d\d:\d\d/);
    const latest = Math.max(...past.mentions.map((m) => Date.parse(m.created_at)));
    expect(Date.parse((await banner.locator('time').getAttribute('datetime'))!)).toBe(Math.floor(latest / 60_000) * 60_000);

    await banner.getByRole('button', { name: 'Show the 3 days up to it' }).click();
    await expect.poll(() => page.getByTestId('total-mentions').textContent(), { timeout: 20_000 }).toBe(String(past.mentions.length));
    expect(new URL(page.url()).hash).toMatch(/from=.*&to=/);
    expect(await banner.count()).toBe(0);

    // Ten-day-old posts carry their date, and no "0 followers" where no count was sent.
    await page.goto(`${url}/#/live?brand=acme`);
    const times = page.locator('.mention-meta time');
    await expect.poll(() => times.count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const newest = [...past.mentions].sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at))[0]!;
    const expected = new Date(newest.created_at).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
    expect(await times.first().textContent()).toBe(expected);
    expect(await page.locator('.mention-meta').first().textContent()).not.toMatch(/followers|ago/);
    await page.close();
  });
});
