import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleAlert } from '../services/notifier/src/test-support/sample-alert.js';
import { AlertStore, alertsTopic, topicMessage, topicName, type Alert, type Config } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { eventually, overHttp, tempDir, testConfig } from './helpers.js';
import { expectDeclared } from './openapi-answers.js';
import { startHookServer } from './receivers.js';

const MIN = 60_000;

/**
 * The incident workflow on the real server: an alert the detector stored and published
 * reaches the on-call webhook through the notifier; a person acknowledges it, assigns it and
 * notes what they found; the detector resolves it. GET /v1/alerts/{id}/timeline tells all of
 * it in order with who and where, and the day's digest measures the time to acknowledge and
 * to resolve.
 */
describe('assign, notes and the timeline of an alert', () => {
  const dir = tempDir();
  let hooks: Awaited<ReturnType<typeof startHookServer>>;
  let rt: Runtime;
  let config: Config;
  const opened = Date.now() - 30 * MIN;
  const at = (t: number) => new Date(t).toISOString();
  const alert: Alert = sampleAlert({
    id: `complaint_surge:globex:complaint:${at(opened)}`,
    window_start: at(opened - 15 * MIN),
    window_end: at(opened),
    opened_at: at(opened),
    updated_at: at(opened),
  });
  const path = `/v1/alerts/${encodeURIComponent(alert.id)}`;
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${rt.url}${p}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    expectDeclared(method, p, res.status);
    return { status: res.status, json: (await res.json()) as any };
  };
  /** What the detector does with a version: store it, then publish it. */
  const detectorSends = async (a: Alert) => {
    await new AlertStore(rt.deps.store!.client).save([a]);
    await rt.deps.bus.publish(topicName(config, alertsTopic.name), [topicMessage(alertsTopic, a)]);
  };

  beforeAll(async () => {
    hooks = await startHookServer();
    const routes = join(dir.path, 'routes.yaml');
    writeFileSync(routes, `channels:\n  on-call: { type: webhook, url: "${hooks.url}/on-call" }\nroutes:\n  - name: all\n    channels: [on-call]\n`);
    config = testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_ROUTES_FILE: routes });
    rt = await startRuntime(config, overHttp(['notifier', 'api']));
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
    await hooks?.close();
    dir.remove();
  });

  it('records who acknowledged, assigned and noted, and where it was sent, in order', async () => {
    await detectorSends(alert);
    expect(await eventually(async () => hooks.posts.length >= 1)).toBe(true);
    // The outbox marks the delivery sent just after the answer.
    expect(await eventually(async () => (await call('GET', `${path}/timeline`)).json.items.some((e: { event: string }) => e.event === 'notified'))).toBe(true);

    expect((await call('POST', `${path}/acknowledge`)).status).toBe(200);
    const assigned = await call('POST', `${path}/assign`, { assignee: 'sam' });
    expect(assigned.status).toBe(200);
    expect(assigned.json).toMatchObject({ id: alert.id, assignee: 'sam' });
    const noted = await call('POST', `${path}/notes`, { text: 'Checkout fails on iOS since the 08:00 release; rolled back.' });
    expect(noted.status).toBe(201);
    await detectorSends({ ...alert, status: 'resolved', updated_at: at(Date.now()), resolved_at: at(Date.now()) });
    // The resolution goes to the on-call channel too.
    const notified = async () => (await call('GET', `${path}/timeline`)).json.items.filter((e: { event: string }) => e.event === 'notified').length;
    expect(await eventually(async () => (await notified()) === 2)).toBe(true);

    const { status, json } = await call('GET', `${path}/timeline`);
    expect(status).toBe(200);
    expect(json.items.map((e: { event: string }) => e.event)).toEqual(['opened', 'notified', 'acknowledged', 'assigned', 'noted', 'resolved', 'notified']);
    expect(hooks.posts.map((p) => p.body.event)).toEqual(['alert.opened', 'alert.resolved']);
    expect(json.items[0]).toMatchObject({ at: alert.opened_at, detail: alert.summary, severity_score: 7 });
    expect(json.items[1]).toMatchObject({ detail: 'on-call' });
    expect(json.items[2]).toMatchObject({ by: 'local' });
    expect(json.items[3]).toMatchObject({ by: 'local', detail: 'sam' });
    expect(json.items[4]).toMatchObject({ by: 'local', detail: 'Checkout fails on iOS since the 08:00 release; rolled back.' });
    for (let i = 1; i < json.items.length; i++) expect(json.items[i].at >= json.items[i - 1].at).toBe(true);
    // A note can follow the resolution (what was learned).
    expect((await call('POST', `${path}/notes`, { text: 'Post-mortem on Monday.' })).json.items.at(-1)).toMatchObject({ event: 'noted' });
  });

  it('the day’s digest gives the time to acknowledge and to resolve, and the assignee', async () => {
    const d = (await call('GET', '/v1/digest?brand=globex&period=day')).json;
    const item = d.alerts.items.find((a: { id: string }) => a.id === alert.id);
    expect(item.assignee).toBe('sam');
    expect(item.acknowledge_minutes).toBeGreaterThanOrEqual(30);
    expect(item.resolve_minutes).toBeGreaterThanOrEqual(item.acknowledge_minutes);
    expect(d.alerts.acknowledge_minutes_p50).toBe(item.acknowledge_minutes);
    expect(d.alerts.resolve_minutes_p50).toBe(item.resolve_minutes);
    expect(d.alerts.resolved).toBe(1);
  });

  it('refuses an empty assignee, a note without text and an unknown alert, with the reason', async () => {
    const empty = await call('POST', `${path}/assign`, { assignee: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.json.error).toMatch(/invalid body: .*assignee/);
    const extra = await call('POST', `${path}/notes`, { note: 'hi' });
    expect(extra.status).toBe(400);
    expect(extra.json.error).toMatch(/text/);
    expect((await call('POST', `${path}/notes`, 'not json')).status).toBe(400);
    const missing = await call('POST', '/v1/alerts/nope/assign', { assignee: 'sam' });
    expect(missing.status).toBe(404);
    expect((await call('GET', '/v1/alerts/nope/timeline')).status).toBe(404);
    // Nothing refused was recorded.
    const events = (await call('GET', `${path}/timeline`)).json.items.map((e: { event: string }) => e.event);
    expect(events.filter((e: string) => e === 'assigned')).toHaveLength(1);
    expect(events.filter((e: string) => e === 'noted')).toHaveLength(2);
  });
});
