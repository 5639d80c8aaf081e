import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Mention } from '@earshot/shared';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, tempDir } from './helpers.js';
import { pastMentions } from './past-mentions.js';
import { consoleUrl, stopEarshot } from './earshot-process.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../services/cli/bin/earshot.js');
const CHROMIUM = process.env.EARSHOT_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.EARSHOT_SCREENSHOTS ?? join(import.meta.dirname, '../.screenshots');
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs it (apt-get install chromium)`);

const LONG = 'globex-international-coffee-holdings';
const VIEWS = ['overview', 'live', 'alerts', 'events', 'care', 'sources'] as const;
/** What each view shows once its data came: the checks look at a full page, not a loading one. */
const READY: Record<(typeof VIEWS)[number], string> = {
  overview: '[data-testid=overview-stats] .stat-hint >> text=/\\d+ mentions/',
  live: '[data-testid=live-mentions] li',
  alerts: 'main .panel',
  events: '[data-testid=event-list] li',
  care: '[data-testid=care-queue] tbody tr',
  sources: '[data-testid=source-volume] tbody tr',
};
const SIZES = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
];

/**
 * Text whose colour against its background falls below WCAG 2.1 AA (4.5:1, or 3:1 for large
 * text: 24 px, or 18.66 px bold), from the computed styles of every visible element holding
 * text; backgrounds are blended up the ancestors. Disabled controls are exempt (WCAG 1.4.3).
 */
const LOW_CONTRAST = `(() => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g) || []; return [+m[0] || 0, +m[1] || 0, +m[2] || 0, m[3] === undefined ? 1 : +m[3]]; };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c[3] > 0) { layers.push(c); if (c[3] === 1) break; } }
    return layers.reduceRight((under, top) => over(top, under), [255, 255, 255, 1]);
  };
  const lum = (c) => { const [r, g, b] = c.slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const bad = [];
  for (const el of document.querySelectorAll('body *')) {
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const st = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (st.visibility === 'hidden' || st.display === 'none' || box.width === 0 || box.right < 0 || el.closest(':disabled')) continue;
    const bg = background(el);
    const fg = over(parse(st.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(st.fontSize);
    const large = size >= 24 || (size >= 18.66 && +st.fontWeight >= 700);
    if (ratio < (large ? 3 : 4.5)) bad.push(el.tagName.toLowerCase() + '.' + el.className + ' "' + el.textContent.trim().slice(0, 30) + '" ' + ratio.toFixed(2));
  }
  return bad;
})()`;

/**
 * Issue #40, a console that reads right: past data imported with `earshot replay` (ten days
 * old, with a viral complaint a day old and the brand's own reply) on a server with API keys,
 * every view at desktop and phone width in Debian's chromium.
 */
describe.skipIf(!haveChromium)('web console reads right', () => {
  const dir = tempDir();
  const env = {
    ...process.env,
    EARSHOT_DATA_DIR: join(dir.path, 'data'),
    EARSHOT_LOG_LEVEL: 'silent',
    EARSHOT_BRANDS_FILE: join(dir.path, 'brands.yaml'),
    EARSHOT_RATE_LIMIT_PER_MINUTE: '0',
  };
  const start = Math.floor((Date.now() - 10 * 86_400_000) / 3_600_000) * 3_600_000;
  const past = pastMentions({ brand: 'acme', start, seed: 40 });
  const ask = past.mentions.find((m) => m.text.includes('ship to Canada'))!;
  const extra: Mention[] = [
    {
      id: 'viral-1',
      source: 'twitter',
      text: 'Acme checkout charged me twice and support ignores me. Terrible, I want my money back',
      created_at: new Date(Date.now() - 86_400_000).toISOString(),
      author: { id: 'big1', handle: 'bigvoice', followers: 182_000 },
      engagement: { likes: 9_400, shares: 2_100, replies: 800, views: 1_200_000 },
      brands: ['acme'],
    },
    {
      id: 'brand-reply-1',
      source: 'twitter',
      text: 'Hi! Yes, we ship to Canada. Could you DM us your postcode so we can check the delivery time?',
      created_at: new Date(Date.parse(ask.created_at) + 120_000).toISOString(),
      author: { id: 'acmecares', handle: 'AcmeCares', followers: 50_000 },
      in_reply_to: ask.id,
      brands: ['acme'],
    },
    ...[0, 1, 2].map((i) => ({
      id: `long-${i}`,
      source: 'twitter',
      text: `Globex coffee is fine ${i}`,
      created_at: new Date(start + (i + 1) * 600_000).toISOString(),
      author: { id: `g${i}`, handle: `g${i}` },
      brands: [LONG],
    })),
  ];
  let child: ChildProcess | undefined;
  let browser: Browser;
  let url = '';
  let key = '';
  let eventId = '';
  // The whole imported span, pinned.
  const range = `from=${new Date(start - 3_600_000).toISOString()}&to=${new Date(Date.now() + 3_600_000).toISOString()}`;

  const newPage = async (size: { width: number; height: number }, withKey: string | null): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: size.width, height: size.height } });
    if (withKey !== null) await page.addInitScript(`sessionStorage.setItem('earshot.apiKey', ${JSON.stringify(withKey)})`);
    return page;
  };
  /** A full load (a hash change alone would not wait for the network), then the view's data. */
  const openView = async (page: Page, view: (typeof VIEWS)[number]) => {
    await page.goto('about:blank');
    await page.goto(`${url}/#/${view}?brand=acme&${range}`);
    await page.locator(READY[view]).first().waitFor({ timeout: 20_000 });
    await page.waitForLoadState('networkidle');
  };
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${url}${path}`, { ...init, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers } });
    expect(res.status, path).toBeLessThan(300);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    writeFileSync(
      env.EARSHOT_BRANDS_FILE,
      `brands:\n  - id: acme\n    query: acme\n    accounts:\n      twitter: [AcmeCares]\n  - id: ${LONG}\n    query: globex\n`,
    );
    const file = join(dir.path, 'acme.jsonl');
    writeFileSync(file, [...past.mentions, ...extra].map((m) => `${JSON.stringify(m)}\n`).join(''));
    await run('node', [BIN, 'replay', file, '--no-detect'], { env, timeout: 300_000 });
    key = (await run('node', [BIN, 'keys', 'create', '--scope', 'admin', '--name', 'console'], { env })).stdout.trim();
    // Every service: the writer stores the event posted below.
    child = spawn('node', [BIN, 'run'], { env: { ...env, EARSHOT_PORT: '0', EARSHOT_HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'pipe'] });
    url = await consoleUrl(child);
    // An event inside the imported span, for the impact view.
    const created = await api<{ items: { id: string }[] }>('/v1/events', {
      method: 'POST',
      body: JSON.stringify({
        brand: 'acme',
        kind: 'outage',
        title: 'Checkout outage at the payment provider',
        starts_at: new Date(past.incident.start).toISOString(),
      }),
    });
    eventId = created.items[0]!.id;
    const stored = await eventually(async () => (await fetch(`${url}/v1/events/${eventId}`, { headers: { authorization: `Bearer ${key}` } })).ok || undefined);
    expect(stored).toBe(true);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 400_000);

  afterAll(async () => {
    await browser?.close();
    if (child) await stopEarshot(child);
    dir.remove();
  });

  it.each(SIZES)('every view fits a $name screen ($width px) without sideways scrolling', async (size) => {
    const page = await newPage(size, key);
    for (const view of VIEWS) {
      await openView(page, view);
      expect(await page.evaluate<number>('document.scrollingElement.scrollWidth'), `${view} at ${size.width} px`).toBeLessThanOrEqual(size.width);
      if (size.name === 'phone') await page.screenshot({ path: join(SHOTS, `phone-${view}.png`) });
    }
    // An event's impact: the table of before and after fits too.
    await page.goto(`${url}/#/events?brand=acme&${range}&event=${eventId}`);
    await expect.poll(() => page.getByTestId('impact-verdict').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.evaluate<number>('document.scrollingElement.scrollWidth')).toBeLessThanOrEqual(size.width);
    await page.close();
  });

  it('text in every view meets WCAG AA contrast', async () => {
    const page = await newPage(SIZES[0]!, key);
    for (const view of VIEWS) {
      await openView(page, view);
      expect(await page.evaluate<string[]>(LOW_CONTRAST), view).toEqual([]);
    }
    await page.close();
  });

  it('every control of every view is reached with the Tab key, in order, and shows where the focus is', async () => {
    const page = await newPage(SIZES[0]!, key);
    for (const view of VIEWS) {
      await openView(page, view);
      // Every visible control, numbered in document order (what a keyboard user must reach).
      const controls = await page.evaluate<number>(`(() => {
        const all = [...document.querySelectorAll('a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])')];
        const shown = all.filter((el) => { const r = el.getBoundingClientRect(); const st = getComputedStyle(el); return r.width > 0 && r.height > 0 && st.visibility !== 'hidden'; });
        shown.forEach((el, i) => el.setAttribute('data-kb', String(i)));
        return shown.length;
      })()`);
      expect(controls, view).toBeGreaterThan(3);
      const reached: number[] = [];
      const unmarked: string[] = [];
      await page.evaluate('document.activeElement?.blur(); window.scrollTo(0, 0)');
      for (let i = 0; i < controls + 5 && reached.length < controls; i++) {
        await page.keyboard.press('Tab');
        const focused = await page.evaluate<{ kb: string | null; ring: boolean; tag: string }>(`(() => {
          const el = document.activeElement;
          const st = getComputedStyle(el);
          return { kb: el.getAttribute('data-kb'), ring: (st.outlineStyle !== 'none' && parseFloat(st.outlineWidth) > 0) || st.boxShadow !== 'none', tag: el.outerHTML.slice(0, 80) };
        })()`);
        if (focused.kb === null) continue;
        reached.push(Number(focused.kb));
        if (!focused.ring) unmarked.push(focused.tag);
      }
      // All reached, each once, in document order (the tab order follows the page, no trap).
      expect(reached, view).toEqual(Array.from({ length: controls }, (_, i) => i));
      expect(unmarked, `${view}: focused without a visible focus ring`).toEqual([]);
    }
    await page.close();
  });

  it('charts name their axes, and the legend reads the latest values before any hover', async () => {
    const page = await newPage(SIZES[0]!, key);
    await page.goto(`${url}/#/overview?brand=acme&${range}`);
    const axes = page.getByTestId('chart-axes');
    // Ten days pinned: 12-hour buckets.
    await expect.poll(() => axes.first().textContent(), { timeout: 20_000 }).toBe('Mentions per 12 hoursNet sentiment (−1 to 1)');
    const legend = page.locator('.chart .u-legend').first();
    await expect.poll(() => legend.textContent()).toMatch(/Timelatest, /);
    expect(await legend.textContent()).not.toContain('--');
    // The latest bucket of the range is today's, which holds no mention (the last was a day ago):
    // buckets without mentions are drawn as zero, not skipped, and net sentiment is not drawn on none.
    expect(await legend.textContent()).toMatch(/Mentions0Negative0Net sentiment–$/);
    // A long brand label stops short of its share-of-voice bar, and says itself in full on hover.
    const label = page.locator('.bars li', { hasText: LONG.slice(0, 8) }).locator('.bar-label');
    expect(await label.getAttribute('title')).toBe(LONG);
    const [labelBox, trackBox] = await Promise.all([
      label.boundingBox(),
      page
        .locator('.bars li', { hasText: LONG.slice(0, 8) })
        .locator('.bar-track')
        .boundingBox(),
    ]);
    expect(labelBox!.x + labelBox!.width).toBeLessThanOrEqual(trackBox!.x);
    await page.screenshot({ path: join(SHOTS, 'overview-axes.png') });

    // The impact chart names its axis, and its verdict gives rates as rates, changes in points.
    await page.goto(`${url}/#/events?brand=acme&${range}&event=${eventId}`);
    await expect.poll(() => page.getByTestId('impact-verdict').textContent(), { timeout: 20_000 }).toMatch(/complaint rate \d+% → \d+% \([+−]\d+ pp, /);
    await expect.poll(() => page.getByTestId('chart-axes').textContent()).toBe('Mentions per hourNet sentiment (−1 to 1)');
    await page.screenshot({ path: join(SHOTS, 'impact-axes.png') });
    await page.close();
  });

  it('care: 25 to a page, one style of waiting time, the viral complaint first, no hand-off without a helpdesk', async () => {
    const page = await newPage(SIZES[0]!, key);
    await page.goto(`${url}/#/care?brand=acme&${range}`);
    const rows = page.getByTestId('care-queue').locator('tbody tr');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(25);
    // 182,000 followers, a day old, ranks above hundreds of posts by nobody ten days old.
    expect(await rows.first().textContent()).toContain('@bigvoice');
    const waits = await page.getByTestId('care-queue').locator('tbody td.num').allTextContents();
    for (const w of waits) expect(w).toMatch(/^(\d+ s|\d+ min|\d+ h( \d+ min)?|\d+ d( \d+ h)?)$/);
    expect(waits[0]).toMatch(/^1 d|^2\d h|^1 d \d+ h$/);
    expect(await page.getByRole('button', { name: 'Hand off' }).count()).toBe(0);
    expect(await page.getByTestId('care-queue').textContent()).not.toContain('Hand off');

    // The response rate and the queue read the same conversations: what is unanswered is listed.
    const stats = await api<{ total: { conversations: number; answered: number }; helpdesk: boolean }>(`/v1/stats/care?brand=acme&${range}`);
    expect(stats.helpdesk).toBe(false);
    const unanswered = stats.total.conversations - stats.total.answered;
    expect(unanswered).toBeGreaterThan(50);
    expect(stats.total.answered).toBe(1);

    const first = await rows.allTextContents();
    await page.getByTestId('care-pager').getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.url()).toContain('page=2');
    await expect.poll(async () => (await rows.first().textContent()) !== first[0], { timeout: 20_000 }).toBe(true);
    expect(await page.getByTestId('care-pager').textContent()).toContain('items 26–50');
    const second = await rows.allTextContents();
    expect(second.filter((r) => first.includes(r))).toEqual([]);
    const api2 = await api<{ items: { author: { handle: string } }[] }>(`/v1/care/queue?brand=acme&${range}&limit=25&offset=25`);
    expect(second.map((r) => /@(\S+?)twitter/.exec(r)?.[1])).toEqual(api2.items.map((i) => i.author.handle));
    await page.close();
  });

  it("live stream: the brand's own reply is marked as the brand's, without a customer's intent", async () => {
    const page = await newPage(SIZES[0]!, key);
    await page.goto(`${url}/#/live?brand=acme&${range}&q=postcode`);
    const reply = page.locator('.mention.from-brand');
    await expect.poll(() => reply.count(), { timeout: 20_000 }).toBe(1);
    expect(await reply.locator('.mention-tags').textContent()).toContain("brand's own post");
    const tags = await reply.locator('.mention-tags .badge').allTextContents();
    for (const t of ['question', 'complaint']) expect(tags).not.toContain(t);
    await page.close();
  });

  it.each([
    ['no key', null],
    ['a wrong key', 'not-a-key'],
  ])('with %s: one prompt for a key, no panels and no false zeros', async (_, wrong) => {
    const page = await newPage(SIZES[1]!, wrong);
    await page.goto(`${url}/#/overview?brand=acme&${range}`);
    await expect.poll(() => page.getByRole('alert').count(), { timeout: 20_000 }).toBe(1);
    await page.waitForLoadState('networkidle');
    expect(await page.getByRole('alert').count()).toBe(1);
    expect(await page.getByRole('alert').textContent()).toMatch(/API key/);
    expect(await page.getByLabel(/API key/).count()).toBe(1);
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).not.toMatch(/No open alerts|No mentions of/);
    expect(await page.getByTestId('total-mentions').count()).toBe(0);
    // The key makes the page whole.
    await page.getByLabel(/API key/).fill(key);
    await page.getByRole('button', { name: 'Save' }).click();
    const stats = await api<{ total: number }>(`/v1/stats/sentiment?brand=acme&${range}&interval=12h`);
    await expect.poll(() => page.getByTestId('total-mentions').textContent(), { timeout: 20_000 }).toBe(stats.total.toLocaleString('en'));
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.close();
  });
});
