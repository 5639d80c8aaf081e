import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, alertsTopic, closeServer, eventsTopic, listen, type Alert, type IncidentView } from '@earshot/shared';
import { createDetectorService } from '@earshot/detector';
import { DEMO_BRANDS_ENV, generateDemoScenario, startRuntime, type Runtime } from '@earshot/cli';
import { eventually, freshMetrics, metricValue, quietLogger, tempDir, testConfig } from './helpers.js';

const MIN = 60_000;

/** A stand-in for a webhook receiver and Slack: records what it is sent, fails the first calls. */
async function fakeReceiver(failFirst: number) {
  const received: { path: string; body: any }[] = [];
  let calls = 0;
  const app = express();
  app.post('/{*path}', express.json(), (req, res) => {
    if (calls++ < failFirst) return void res.status(503).send('busy');
    received.push({ path: req.path, body: req.body });
    res.status(req.path === '/slack' ? 200 : 204).send(req.path === '/slack' ? 'ok' : undefined);
  });
  const server: Server = await listen(app, '127.0.0.1', 0);
  const port = (server.address() as { port: number }).port;
  return { received, url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

/**
 * The demo scenario replayed minute by minute in stream time (ManualClock): the outage
 * raises a complaint surge within five minutes, and the viral post is flagged first. The
 * notifier service delivers the alerts to the webhook and Slack URLs of the environment.
 */
describe('detection on the demo scenario', () => {
  const dir = tempDir();
  const metrics = freshMetrics();
  const clock = new ManualClock(0);
  const scenario = generateDemoScenario({ seed: 42, end: new Date('2026-11-23T16:00:00Z') });
  let rt: Runtime;
  let receiver: Awaited<ReturnType<typeof fakeReceiver>>;
  const opened = new Map<string, { at: number; alert: Alert }>();
  const published: Alert[] = [];
  let sent = 0;

  const ingestUntil = async (t: number) => {
    const batch = scenario.mentions.slice(sent).filter((m) => Date.parse(m.created_at) < t);
    sent += batch.length;
    for (let i = 0; i < batch.length; i += 500)
      await rt.ingest!.ingestor.ingest(
        batch.slice(i, i + 500).map((value, j) => ({ index: j, value })),
        'test',
      );
    await rt.drain();
  };
  const runAt = async (t: number) => {
    await ingestUntil(t);
    clock.set(t);
    const { alerts } = await rt.detector!.runOnce(t);
    for (const a of alerts) if (a.status === 'open' && !opened.has(`${a.kind}:${a.brand}`)) opened.set(`${a.kind}:${a.brand}`, { at: t, alert: a });
    return alerts;
  };

  beforeAll(async () => {
    receiver = await fakeReceiver(2);
    const config = testConfig({
      EARSHOT_DATA_DIR: dir.path,
      EARSHOT_BRANDS: DEMO_BRANDS_ENV,
      EARSHOT_DETECT_CRON: '0 0 1 1 *',
      EARSHOT_ALERT_WEBHOOK_URL: `${receiver.url}/hook`,
      EARSHOT_ALERT_SLACK_WEBHOOK_URL: `${receiver.url}/slack`,
    });
    rt = await startRuntime(config, {
      services: ['ingest', 'classifier', 'writer', 'notifier', 'detector', 'api'],
      http: true,
      metrics,
      clock,
      logger: quietLogger(),
      detector: { replica: 'r1' },
    });
    await rt.deps.bus.publish(
      eventsTopic.name,
      scenario.events.map((e) => ({ key: eventsTopic.key(e), value: JSON.stringify(e) })),
    );
    await rt.deps.bus.subscribe({
      group: 'test-alerts',
      topic: alertsTopic.name,
      maxBatch: 100,
      maxWaitMs: 0,
      handler: async (ms) => void published.push(...ms.map((m) => JSON.parse(m.value.toString()))),
    });
    const start = scenario.incident.start.getTime();
    for (let t = start - 60 * MIN; t <= start + 45 * MIN; t += MIN) await runAt(t);
  }, 600_000);
  afterAll(async () => {
    await rt?.stop();
    await receiver?.close();
    dir.remove();
  });

  it('raises a complaint surge within 5 minutes of the outage, saying what is broken', () => {
    const surge = opened.get('complaint_surge:globex');
    expect(surge, `opened: ${[...opened.keys()].join(', ')}`).toBeDefined();
    const delay = surge!.at - scenario.incident.start.getTime();
    expect(delay).toBeGreaterThanOrEqual(0);
    expect(delay).toBeLessThanOrEqual(5 * MIN);
    expect(surge!.alert).toMatchObject({ brand: 'globex', intent: 'complaint', status: 'open' });
    expect(surge!.alert.observed).toBeGreaterThan(surge!.alert.band[1]);
    // The terms come from the complaints themselves ("failed", "app", "ordering", ...).
    expect(surge!.alert.summary).toMatch(/about "[^"]+"/);
    expect(surge!.alert.summary).toMatch(/"(app|ordering|order|mobile|down|payment|checkout|crashed|failed|broken|charged)"/);
    expect(surge!.alert.sample_mentions.length).toBeGreaterThan(0);
    // The demo's own outage event is on the events topic: the alert names it.
    expect(surge!.alert.summary).toMatch(/possibly linked to "Mobile ordering outage", 08:00 UTC/);
  });

  it('flags the viral negative post before the volume spike, with its link', () => {
    const viral = opened.get('viral_negative:globex');
    const volume = opened.get('negative_volume_surge:globex') ?? opened.get('complaint_surge:globex');
    expect(viral).toBeDefined();
    expect(viral!.at).toBeLessThan(volume!.at);
    expect(viral!.alert.sample_mentions).toEqual([{ source: 'twitter', id: scenario.viral.id, url: expect.stringContaining('morning_megan') }]);
  });

  it('sees the net sentiment fall during the outage', () => {
    const drop = opened.get('net_sentiment_drop:globex');
    expect(drop).toBeDefined();
    expect(drop!.alert.observed).toBeLessThan(drop!.alert.expected - 0.3);
    expect(drop!.at).toBeLessThan(scenario.incident.start.getTime() + 30 * MIN);
  });

  it('also tests each source on its own', () => {
    const perSource = published.filter((a) => a.kind === 'negative_volume_surge' && a.source);
    expect(perSource.length).toBeGreaterThan(0);
    expect(perSource[0]!.id).toContain(`:source:${perSource[0]!.source}:`);
    expect(perSource[0]!.summary).toContain(`on ${perSource[0]!.source}`);
  });

  it('raises nothing for the brands with ordinary traffic', () => {
    expect([...opened.keys()].filter((k) => !k.endsWith(':globex'))).toEqual([]);
  });

  it('keeps one alert per incident, stores it, publishes it and notifies despite failures', async () => {
    const ids = published.filter((a) => a.kind === 'complaint_surge').map((a) => a.id);
    expect(new Set(ids).size).toBe(1);
    expect(published.filter((a) => a.kind === 'complaint_surge' && a.status === 'open')).toHaveLength(1);
    const res = await fetch(`${rt.url}/v1/alerts?brand=globex`);
    const body = (await res.json()) as { items: Alert[] };
    expect(body.items.map((a) => a.kind).sort()).toEqual(expect.arrayContaining(['complaint_surge', 'viral_negative']));
    // The notifier delivers what the detector published, the two failed attempts retried.
    const hooks = () => receiver.received.filter((r) => r.path === '/hook');
    expect(await eventually(async () => hooks().some((h) => h.body.alert.brand === 'globex') && receiver.received.some((r) => r.path === '/slack'))).toBe(true);
    expect(hooks().map((h) => h.body.event)).toContain('alert.opened');
    expect(receiver.received.find((r) => r.path === '/slack')!.body.text).toMatch(/globex/);
    expect(await metricValue(metrics.registry, 'earshot_notify_failures_total')).toBe(2);
    expect(await metricValue(metrics.registry, 'earshot_alerts_open', { brand: 'globex', kind: 'complaint_surge' })).toBe(1);
  });

  it('groups the outage’s alerts into one incident, which pages the webhook once (#36)', async () => {
    const { items } = (await (await fetch(`${rt.url}/v1/incidents?brand=globex&status=all`)).json()) as { items: IncidentView[] };
    expect(items.map((i) => i.id)).toHaveLength(1);
    const incident = items[0]!;
    expect(incident.alerts.map((a) => a.kind)).toEqual(expect.arrayContaining(['complaint_surge', 'net_sentiment_drop', 'negative_volume_surge']));
    expect(incident.alerts.length).toBeGreaterThan(3);
    expect(incident.headline).toBe(incident.alerts[0]!.summary);
    const alerts = ((await (await fetch(`${rt.url}/v1/alerts?brand=globex&status=all`)).json()) as { items: Alert[] }).items;
    expect(new Set(alerts.map((a) => a.incident_id))).toEqual(new Set([incident.id]));
    // Every version that pages reaches the webhook; the others were stored and published only.
    const paging = published.filter((a) => a.brand === 'globex' && !a.quiet);
    const hooks = () => receiver.received.filter((r) => r.path === '/hook' && r.body.alert.brand === 'globex');
    expect(await eventually(async () => hooks().length === paging.length)).toBe(true);
    expect(hooks().filter((h) => h.body.event === 'alert.opened')).toHaveLength(1);
    expect(hooks().every((h) => h.body.incident_id === incident.id)).toBe(true);
    expect(paging.length).toBeLessThan(published.filter((a) => a.brand === 'globex').length);
  });

  it('a standby that takes over continues the open incidents instead of opening them again', async () => {
    // r1 stops running (a crash, a long pause); past the lease's 3 minutes r2 leads.
    const standby = createDetectorService(rt.deps, { replica: 'r2' });
    const t = scenario.incident.start.getTime() + 50 * MIN;
    await ingestUntil(t);
    clock.set(t);
    const { leader, alerts } = await standby.runOnce(t);
    expect(leader).toBe(true);
    const known = new Set(published.map((a) => a.id));
    expect(alerts.filter((a) => a.status === 'open' && opened.has(`${a.kind}:${a.brand}`))).toEqual([]);
    expect(alerts.filter((a) => a.status === 'updated' && known.has(a.id)).length).toBeGreaterThan(0);
  });

  it('resolves the incident within an hour of its end, and a second replica never fires', async () => {
    // Customers still write back about it for a while (follow-ups to the care team's answers).
    const end = scenario.incident.end.getTime();
    for (let t = end + 20 * MIN; t <= end + 60 * MIN; t += 5 * MIN) await runAt(t);
    const res = await fetch(`${rt.url}/v1/alerts?brand=globex&kind=complaint_surge&status=all`);
    const [alert] = ((await res.json()) as { items: Alert[] }).items;
    expect(alert, JSON.stringify(alert)).toMatchObject({ status: 'resolved', resolved_at: expect.any(String) });

    const second = createDetectorService(rt.deps, { replica: 'r2' });
    const now = end + 65 * MIN;
    const [a, b] = [await rt.detector!.runOnce(now), await second.runOnce(now)];
    expect([a.leader, b.leader]).toEqual([true, false]);
    expect(b.alerts).toEqual([]);
  });

  it('resolves the incident when its last alert resolves, and pages once for that', async () => {
    const incident = async () => ((await (await fetch(`${rt.url}/v1/incidents?brand=globex&status=all`)).json()) as { items: IncidentView[] }).items;
    const end = scenario.incident.end.getTime();
    for (let t = end + 70 * MIN; t <= end + 4 * 60 * MIN && (await incident())[0]?.status !== 'resolved'; t += 5 * MIN) await runAt(t);
    const [only, ...more] = await incident();
    const open = only?.alerts.filter((a) => a.status !== 'resolved').map((a) => a.id);
    expect(more).toEqual([]);
    expect(only, `still open: ${open?.join(', ')}`).toMatchObject({ status: 'resolved', resolved_at: expect.any(String) });
    const resolvedHooks = () => receiver.received.filter((r) => r.path === '/hook' && r.body.alert.brand === 'globex' && r.body.event === 'alert.resolved');
    expect(await eventually(async () => resolvedHooks().length === 1)).toBe(true);
    expect(resolvedHooks()[0]!.body).toMatchObject({ incident_id: only!.id, alert: { resolved_at: only!.resolved_at } });
  });
});
