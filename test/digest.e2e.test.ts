import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, type Alert } from '@earshot/shared';
import { DEMO_BRANDS_ENV, runDemo, startRuntime, type DemoScenario, type Runtime } from '@earshot/cli';
import { eventually, overHttp, tempDir, testConfig } from './helpers.js';
import { startHookServer, startSmtpServer } from './receivers.js';

/**
 * Acting on the demo's alerts, on the user's path: the demo as `npm start` runs it (its
 * three days sent, detection replayed over the outage as `earshot run --demo` does). The
 * notifier routes the complaint surge to a real SMTP server and a Slack stand-in, and
 * nothing through a route whose severity floor it does not meet; a person acknowledges the
 * surge, and the week's digest reports it.
 */
describe('the demo: alert routing, then GET /v1/digest', () => {
  const dir = tempDir();
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let hooks: Awaited<ReturnType<typeof startHookServer>>;
  let rt: Runtime;
  let scenario: DemoScenario;
  const get = async (path: string) => {
    const res = await fetch(`${rt.url}${path}`);
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type') ?? '', text, json: () => JSON.parse(text) };
  };

  beforeAll(async () => {
    smtp = await startSmtpServer();
    hooks = await startHookServer();
    const routes = join(dir.path, 'routes.yaml');
    writeFileSync(
      routes,
      `channels:
  pr-email: { type: email, to: [pr@globex.example] }
  pr-slack: { type: slack, url: "${hooks.url}/slack" }
  exec-pager: { type: webhook, url: "${hooks.url}/exec" }
routes:
  - name: pr
    match: { brands: [globex], kinds: [complaint_surge], min_severity: 3 }
    channels: [pr-email, pr-slack]
  - name: exec
    match: { kinds: [complaint_surge], min_severity: 10 }
    channels: [exec-pager]
`,
    );
    const config = testConfig({
      EARSHOT_DATA_DIR: dir.path,
      EARSHOT_BRANDS: DEMO_BRANDS_ENV,
      EARSHOT_ROUTES_FILE: routes,
      EARSHOT_SMTP_URL: smtp.url,
      // The demo's story happened in the past days of stream time.
      EARSHOT_NOTIFY_MAX_AGE_MINUTES: String(7 * 24 * 60),
    });
    rt = await startRuntime(config, overHttp(['ingest', 'classifier', 'writer', 'notifier', 'detector', 'api']));
    scenario = await runDemo(rt, config, { clock: systemClock, seconds: 0 });
    await rt.detector!.replay(scenario.incident.start.getTime() - 30 * 60_000, scenario.incident.start.getTime() + 60 * 60_000);
    const alerts = (await get('/v1/alerts?brand=globex&status=all')).json().items as Alert[];
    const surge = alerts.find((a) => a.kind === 'complaint_surge')!;
    expect((await fetch(`${rt.url}/v1/alerts/${encodeURIComponent(surge.id)}/acknowledge`, { method: 'POST' })).status).toBe(200);
  }, 600_000);
  afterAll(async () => {
    await rt?.stop();
    await smtp?.close();
    await hooks?.close();
    dir.remove();
  });

  it('the complaint surge reaches the SMTP server and Slack, not the route whose floor it does not meet', async () => {
    const surge = ((await get('/v1/alerts?brand=globex&status=all')).json().items as Alert[]).find((a) => a.kind === 'complaint_surge')!;
    expect(await eventually(async () => smtp.mails.length > 0 && hooks.posts.some((p) => p.path === '/slack'), { timeoutMs: 60_000 })).toBe(true);
    const mail = smtp.mails.find((m) => /complaint surge opened/.test(m.mail.subject ?? ''))!;
    expect(mail.secure).toBe(true);
    expect(mail.to).toEqual(['pr@globex.example']);
    expect(mail.mail.subject).toMatch(/^\[Earshot \d+\/10 \w+\] globex: complaint surge opened$/);
    expect(mail.mail.text).toMatch(/^Complaint surge opened for globex: \d+ complaints in \d+ min/);
    expect(mail.mail.text).toMatch(/Acknowledge: http:\/\/localhost:\d+\/#\/alerts\?brand=globex&status=all&id=complaint_surge/);
    expect(hooks.posts.find((p) => p.path === '/slack')!.body.text).toMatch(/globex: complaint surge opened/);
    // Its severity is below the exec route's floor of 10.
    expect(surge.severity_score).toBeLessThan(10);
    expect(hooks.posts.filter((p) => p.path === '/exec')).toEqual([]);
  });

  it('the weekly HTML digest names the complaint surge, with no script, fit for email', async () => {
    const res = await get('/v1/digest?brand=globex&period=week&format=html');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/html/);
    expect(res.text).toMatch(/Complaint surge<\/strong><br>\d+ complaints in \d+ min/);
    expect(res.text).toMatch(/Viral negative/);
    expect(res.text).toContain(scenario.events.find((e) => e.brand === 'globex')!.title);
    expect(res.text).not.toMatch(/<script|<style|<link/i);
  });

  it('JSON: volume against the store, the alerts with detection and acknowledgement times, the outage verdict', async () => {
    const d = (await get('/v1/digest?brand=globex&period=week')).json();
    const stats = (await get(`/v1/stats/sentiment?brand=globex&from=${d.from}&to=${d.to}&interval=1d`)).json();
    expect(d.volume.mentions).toBe(stats.total);
    expect(d.volume.mentions).toBeGreaterThan(0);
    // The demo's three days all fall in this week; the week before is empty.
    expect(d.volume.previous).toBe(0);
    const [lo, hi] = d.net_sentiment.ci95 as [number, number];
    expect(lo).toBeLessThanOrEqual(d.net_sentiment.value);
    expect(hi).toBeGreaterThanOrEqual(d.net_sentiment.value);
    expect(d.complaint_rate.rate).toBeGreaterThan(0);
    const surge = d.alerts.items.find((a: { kind: string }) => a.kind === 'complaint_surge');
    expect(surge.detection_minutes).toBeGreaterThanOrEqual(0);
    expect(surge.acknowledged_by).toBe('local');
    expect(surge.acknowledge_minutes).toBeGreaterThan(0);
    expect(d.alerts.acknowledged).toBe(1);
    expect(d.events.map((v: { event: { kind: string } }) => v.event.kind)).toContain('outage');
    expect(d.events.find((v: { event: { kind: string } }) => v.event.kind === 'outage').verdict).toMatch(/^Mentions of globex rose/);
  });

  it('care figures for a brand that answers, and a bad period refused with the reason', async () => {
    const acme = (await get('/v1/digest?brand=acme&period=week')).json();
    expect(acme.care.conversations).toBeGreaterThan(0);
    expect(acme.care.response_rate).toBeGreaterThan(0);
    const bad = await get('/v1/digest?brand=acme&period=month');
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatch(/period/);
    expect((await get('/v1/digest?period=day')).status).toBe(400);
  });
});
