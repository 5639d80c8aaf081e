import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '@earshot/shared';
import { DEMO_BRANDS_ENV, runDemo, startRuntime, type Runtime } from '@earshot/cli';
import { eventually, freshMetrics, quietLogger, tempDir, testConfig } from './helpers.js';

/** Campaign and PR events through the API, and the impact of the demo's launch and outage. */
describe('events and their impact', () => {
  const dir = tempDir();
  const config = testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_BRANDS: DEMO_BRANDS_ENV });
  let rt: Runtime;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${rt.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: res.status === 204 ? null : ((await res.json()) as any) };
  };

  beforeAll(async () => {
    rt = await startRuntime(config, { services: ['ingest', 'classifier', 'writer', 'api'], http: true, metrics: freshMetrics(), logger: quietLogger() });
    await runDemo(rt, config, { clock: systemClock, seconds: 0 });
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('creates, lists, changes and deletes an event', async () => {
    const created = await call('POST', '/v1/events', {
      brand: 'initech',
      kind: 'pr',
      title: 'CEO interview',
      starts_at: '2026-11-21T12:00:00Z',
      tags: ['press'],
    });
    expect(created.status).toBe(202);
    const id = created.body.items[0].id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await rt.drain();
    expect((await call('GET', '/v1/events?brand=initech')).body.items).toEqual([expect.objectContaining({ id, title: 'CEO interview', tags: ['press'] })]);
    const patched = await call('PATCH', `/v1/events/${id}`, { title: 'CEO interview on TV' });
    expect(patched.body.title).toBe('CEO interview on TV');
    await rt.drain();
    expect((await call('GET', `/v1/events/${id}`)).body.title).toBe('CEO interview on TV');
    expect((await call('DELETE', `/v1/events/${id}`)).status).toBe(204);
    await rt.drain();
    expect((await call('GET', `/v1/events/${id}`)).status).toBe(404);
    expect((await call('GET', '/v1/events?brand=initech')).body.items).toEqual([]);
  });

  it('refuses bad events with the reason', async () => {
    const res = await call('POST', '/v1/events', [{ brand: 'acme', kind: 'party', title: 'x', starts_at: 'tomorrow' }]);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/item 0: invalid event: kind: .*; starts_at: /);
    expect((await call('PATCH', '/v1/events/nope', { title: 'x' })).status).toBe(404);
  });

  it("measures the outage's impact: complaints up, sentiment down, both significant", async () => {
    const outage = await eventually(async () => (await call('GET', '/v1/events?brand=globex&kind=outage')).body.items[0]);
    const impact = (await call('GET', `/v1/events/${outage.id}/impact?before=24h`)).body;
    expect(impact.event.id).toBe('globex-ordering-outage');
    expect(impact.volume.ratio).toBeGreaterThan(1.5);
    expect(impact.volume.p_value).toBeLessThan(0.01);
    expect(impact.complaint_rate.difference).toBeGreaterThan(0.2);
    expect(impact.complaint_rate.p_value).toBeLessThan(0.01);
    expect(impact.net_sentiment.after).toBeLessThan(impact.net_sentiment.before);
    expect(impact.net_sentiment.ci95[1]).toBeLessThan(0);
    expect(impact.verdict).toMatch(/^Mentions of globex rose .*after "Mobile ordering outage".*significant/);
    expect(impact.new_terms.length).toBeGreaterThan(0);
  });

  it("measures the campaign's impact: more mentions, more share of voice", async () => {
    const impact = (await call('GET', '/v1/events/acme-winter-unlimited/impact?before=12h')).body;
    expect(impact.volume.ratio).toBeGreaterThan(1.5);
    expect(impact.share_of_voice.difference).toBeGreaterThan(0);
    expect(impact.share_of_voice.p_value).toBeLessThan(0.05);
  });
});
