import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@earshot/cli';
import { tempDir, testConfig, overHttp } from './helpers.js';

/** The CSP's sources for one directive. */
const directive = (csp: string, name: string) =>
  csp
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find(([n]) => n === name)
    ?.slice(1) ?? [];

/**
 * Issue #35 (defect 7b): neither the console nor the API sent security headers. Every
 * answer now forbids framing, MIME sniffing and Referer leaks, and the console page
 * loads only what its Content-Security-Policy allows.
 */
describe('security headers', () => {
  const dir = tempDir();
  let rt: Runtime;
  beforeAll(async () => {
    rt = await startRuntime(testConfig({ EARSHOT_DATA_DIR: dir.path }), overHttp(['api']));
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('come with the console page, its assets, API answers, errors and health', async () => {
    const page = await fetch(`${rt.url}/`);
    const html = await page.text();
    const script = /<script type="module" src="([^"]+)"/.exec(html)![1]!;
    for (const path of ['/', script, '/v1/mentions', '/v1/no-such-route', '/v1/stats/sentiment', '/healthz', '/openapi.json']) {
      const res = await fetch(`${rt.url}${path}`);
      await res.arrayBuffer();
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(directive(csp, 'frame-ancestors'), path).toEqual(["'none'"]);
      expect(directive(csp, 'default-src'), path).toEqual(["'self'"]);
    }
  });

  it('allow everything the console page loads, and nothing from elsewhere', async () => {
    const page = await fetch(`${rt.url}/`);
    const html = await page.text();
    const csp = page.headers.get('content-security-policy')!;
    // Its script and stylesheet are files of this origin, its icon a data: URL, and nothing runs inline.
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) expect(attrs).toMatch(/src="\/console\/[^"]+\.js"/);
    expect(html).toMatch(/<link rel="stylesheet" href="\/console\/[^"]+\.css"/);
    expect(html).not.toMatch(/<style\b|\sstyle="|\son[a-z]+="/);
    for (const [, href] of html.matchAll(/<link rel="icon" href="([^"]+)"/g)) expect(href).toMatch(/^data:/);
    expect(directive(csp, 'script-src')).toEqual(["'self'"]);
    expect(directive(csp, 'style-src')).toEqual(["'self'"]);
    expect(directive(csp, 'img-src')).toEqual(["'self'", 'data:']);
    expect(directive(csp, 'connect-src')).toEqual(["'self'"]);
    // The assets the page names are served, with the same headers.
    for (const [, src] of html.matchAll(/(?:src|href)="(\/console\/[^"]+)"/g)) expect((await fetch(`${rt.url}${src}`)).status).toBe(200);
  });
});
