// npm run bench:console [-- URL]: how long the console's overview takes to first show the
// demo's numbers and chart in Debian's chromium, cold cache, and the gzip size of its assets.
// Run it against a running Earshot (npm start in another terminal).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { CONSOLE_DIR } from '../index.ts';

const base = (process.argv[2] ?? process.env.EARSHOT_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const runs = Number(process.env.RUNS ?? 7);
const brand = process.env.BRAND ?? 'globex';

const sizes = readdirSync(CONSOLE_DIR).map((f) => [f, gzipSync(readFileSync(join(CONSOLE_DIR, f))).length]);
for (const [f, n] of sizes) console.log(`  ${f.padEnd(22)} ${(n / 1024).toFixed(1)} KiB gzip`);
console.log(`assets: ${(sizes.reduce((s, [, n]) => s + n, 0) / 1024).toFixed(1)} KiB gzip in all`);

const browser = await chromium.launch({ executablePath: process.env.EARSHOT_CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const times = [];
for (let i = 0; i < runs; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const t0 = performance.now();
  await page.goto(`${base}/#/overview?brand=${brand}&range=30d`);
  await page.waitForFunction(() => {
    const n = document.querySelector('[data-testid=total-mentions]')?.textContent;
    return n && n !== '0' && document.querySelector('.chart canvas');
  });
  times.push(performance.now() - t0);
  await context.close();
}
await browser.close();
times.sort((a, b) => a - b);
console.log(
  `overview of ${brand} to numbers and chart, cold cache, ${runs} runs: median ${times[runs >> 1].toFixed(0)} ms, min ${times[0].toFixed(0)} ms, max ${times[runs - 1].toFixed(0)} ms (${base})`,
);
