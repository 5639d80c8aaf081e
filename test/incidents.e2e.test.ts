import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertBook, type Firing } from '../services/detector/src/alert-book.js';
import { AlertStore, alertsTopic, topicMessage, topicName, type Alert, type Config, type IncidentView } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { eventually, overHttp, tempDir, testConfig } from './helpers.js';
import { expectDeclared } from './openapi-answers.js';
import { startHookServer } from './receivers.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/** What a detector finds during an outage: 200 posts against 2 expected, or net sentiment from +0.4 to -0.8. */
const finding = (kind: Alert['kind'], start: number, end: number, severity: 'warning' | 'critical'): Firing => ({
  kind,
  brand: 'acme',
  scope: kind,
  finding:
    kind === 'net_sentiment_drop'
      ? { windowStart: start, windowEnd: end, observed: -0.8, expected: 0.4, band: [0.1, 0.7], score: 0.99, severity }
      : { windowStart: start, windowEnd: end, observed: 200, expected: 2, band: [0, 5], score: 0.99, severity },
  summary: `${kind.replace(/_/g, ' ')} at ${new Date(start).toISOString()}`,
  samples: [],
});

/**
 * Issue #36, one incident, one page, on the real server: the alert versions the detector's
 * book raises over two outages a day apart are stored and published as the detector does;
 * the notifier pages the on-call webhook for each incident's opening, its rise to critical
 * and its end only, and GET /v1/incidents shows two incidents holding three alerts each.
 */
describe('incidents: the alerts of one outage page once', () => {
  const dir = tempDir();
  let hooks: Awaited<ReturnType<typeof startHookServer>>;
  let rt: Runtime;
  let config: Config;
  const versions: Alert[] = [];

  /** One outage from `t`: a complaint surge, then negative volume, then a critical sentiment fall; quiet from t+12 min. */
  const outage = (book: AlertBook, t: number) => {
    const steps: [number, Firing[]][] = [
      [5, [finding('complaint_surge', t, t + 5 * MIN, 'warning')]],
      [8, [finding('complaint_surge', t, t + 8 * MIN, 'warning'), finding('negative_volume_surge', t + 2 * MIN, t + 8 * MIN, 'warning')]],
      [12, [finding('net_sentiment_drop', t, t + 12 * MIN, 'critical'), finding('negative_volume_surge', t + 2 * MIN, t + 12 * MIN, 'warning')]],
    ];
    for (const [m, firings] of steps) versions.push(...book.apply(firings, t + m * MIN));
    for (let m = 13; m <= 60; m++) versions.push(...book.apply([], t + m * MIN));
  };

  beforeAll(async () => {
    hooks = await startHookServer();
    const routes = join(dir.path, 'routes.yaml');
    writeFileSync(
      routes,
      `channels:
  on-call: { type: webhook, url: "${hooks.url}/on-call" }
  volume-team: { type: webhook, url: "${hooks.url}/volume" }
routes:
  - name: all
    channels: [on-call]
  - name: volume
    match: { kinds: [negative_volume_surge] }
    channels: [volume-team]
`,
    );
    config = testConfig({
      EARSHOT_DATA_DIR: dir.path,
      EARSHOT_ROUTES_FILE: routes,
      // One partition, so the notifier reads the versions in the order they were published.
      EARSHOT_TOPIC_PARTITIONS: '1',
      // Yesterday's outage is still young enough to page (the backlog bound is not under test).
      EARSHOT_NOTIFY_MAX_AGE_MINUTES: String(2 * 24 * 60),
    });
    rt = await startRuntime(config, overHttp(['notifier', 'api']));
    const book = new AlertBook();
    const today = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
    outage(book, today - 24 * HOUR);
    outage(book, today);
    // What the detector does with a run's versions: store them, then publish them.
    await new AlertStore(rt.deps.store!.client).save(versions);
    await rt.deps.bus.publish(
      topicName(config, alertsTopic.name),
      versions.map((a) => topicMessage(alertsTopic, a)),
    );
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
    await hooks?.close();
    dir.remove();
  });

  const get = async <T>(path: string) => {
    const res = await fetch(`${rt.url}${path}`);
    expectDeclared('GET', path, res.status);
    return { status: res.status, body: (await res.json()) as T };
  };

  it('lists two incidents a day apart, each holding its three alerts, headed by the worst', async () => {
    const { body } = await get<{ items: IncidentView[]; count: number }>('/v1/incidents?brand=acme&status=all');
    expect(body.count).toBe(2);
    for (const incident of body.items) {
      expect(incident.alerts.map((a) => a.kind).sort()).toEqual(['complaint_surge', 'negative_volume_surge', 'net_sentiment_drop']);
      // Named by its first alert, the complaint surge; as severe as its worst, the sentiment fall.
      expect(incident.id).toBe(incident.alerts.find((a) => a.kind === 'complaint_surge')!.id);
      expect(incident).toMatchObject({ status: 'resolved', severity: 'critical', headline: incident.alerts[0]!.summary });
      expect(incident.alerts[0]!.kind).toBe('net_sentiment_drop');
      expect(incident.opened_at).toBe(incident.alerts.find((a) => a.kind === 'complaint_surge')!.opened_at);
    }
    expect(body.items[0]!.opened_at > body.items[1]!.opened_at).toBe(true);
    expect((await get<{ count: number }>('/v1/incidents?brand=acme')).body.count).toBe(0);
    const alerts = (await get<{ items: Alert[] }>('/v1/alerts?brand=acme&status=all')).body.items;
    expect(alerts).toHaveLength(6);
    expect(new Set(alerts.map((a) => a.incident_id))).toEqual(new Set(body.items.map((i) => i.id)));
  });

  it('pages the webhook three times per incident (opened, critical, resolved), not once per alert version', async () => {
    const paging = versions.filter((v) => !v.quiet);
    expect(versions.length).toBeGreaterThan(paging.length);
    // The last version published pages (the second incident's end): once it arrives, the notifier has read them all.
    expect(await eventually(async () => hooks.posts.some((p) => p.body.alert.id === versions.at(-1)!.id && p.body.event === 'alert.resolved'))).toBe(true);
    const onCall = hooks.posts.filter((p) => p.path === '/on-call');
    expect(onCall.map((p) => [p.body.event, p.body.alert.kind, p.body.alert.severity])).toEqual(
      [0, 1].flatMap(() => [
        ['alert.opened', 'complaint_surge', 'warning'],
        ['alert.opened', 'net_sentiment_drop', 'critical'],
        ['alert.resolved', expect.any(String), expect.any(String)],
      ]),
    );
    const { body } = await get<{ items: IncidentView[] }>('/v1/incidents?brand=acme&status=all');
    expect(onCall.map((p) => p.body.incident_id)).toEqual([
      body.items[1]!.id,
      body.items[1]!.id,
      body.items[1]!.id,
      body.items[0]!.id,
      body.items[0]!.id,
      body.items[0]!.id,
    ]);
  });

  it('tells a route for one kind of the incident’s alert of that kind once, though the incident had paged already', () => {
    const volume = hooks.posts.filter((p) => p.path === '/volume');
    expect(volume.map((p) => [p.body.event, p.body.alert.kind])).toEqual([
      ['alert.opened', 'negative_volume_surge'],
      ['alert.opened', 'negative_volume_surge'],
    ]);
    expect(volume.every((p) => p.body.alert.quiet === true)).toBe(true);
  });

  it('refuses a bad status or limit with the reason', async () => {
    const bad = await get<{ error: string }>('/v1/incidents?status=closed');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/status/);
    expect((await get<{ error: string }>('/v1/incidents?limit=0')).status).toBe(400);
  });
});
