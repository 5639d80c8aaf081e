import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore, type Alert, type Mention } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { tempDir, testConfig, overHttp, postAndDrain } from './helpers.js';

const T = Date.now() - 3 * 3_600_000;
const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString();

/**
 * The API the web console stands on, embedded: a person's alert actions beside the
 * detector's versions, the care queue's hand-off and "handled", volume by brand and
 * source, the new mention filters, event import, and the console page itself.
 */
describe('console API', () => {
  const dir = tempDir();
  let rt: Runtime;
  const call = async (method: string, path: string, body?: string, type = 'application/json') => {
    const res = await fetch(`${rt.url}${path}`, { method, headers: { 'content-type': type }, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text, headers: res.headers };
  };
  const alert = (over: Partial<Alert> = {}): Alert => ({
    id: 'complaint_surge:acme:complaint:2026-11-20T08:00:00.000Z',
    kind: 'complaint_surge',
    brand: 'acme',
    status: 'open',
    severity: 'warning',
    window_start: at(0),
    window_end: at(15),
    observed: 12,
    expected: 1,
    band: [0, 4],
    score: 0.9,
    summary: '12 complaints in 15 min',
    sample_mentions: [],
    opened_at: at(15),
    updated_at: at(15),
    ...over,
  });

  beforeAll(async () => {
    rt = await startRuntime(
      testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_BRANDS: 'acme=acme;globex=globex' }),
      overHttp(['ingest', 'classifier', 'writer', 'api']),
    );
    const person = (id: string) => ({ id, handle: id, followers: 10 });
    const mentions: Mention[] = [
      { id: 'c1', source: 'twitter', text: 'Acme charged me twice, terrible, refund me now', created_at: at(1), author: person('u1'), lang: 'en' },
      { id: 'c2', source: 'reddit', text: 'Why does Acme keep failing at checkout? Awful', created_at: at(2), author: person('u2'), lang: 'en' },
      { id: 'c3', source: 'twitter', text: 'Acme ist heute wieder kaputt, furchtbar', created_at: at(3), author: person('u3'), lang: 'de' },
      { id: 'g1', source: 'twitter', text: 'I love Globex coffee, great morning', created_at: at(4), author: person('u4'), lang: 'en' },
    ];
    await postAndDrain(rt, [mentions]);
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('serves the console page at / and its hashed assets for good', async () => {
    const page = await call('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const script = /src="(\/console\/app-\w+\.js)"/.exec(page.body)![1]!;
    const asset = await call('GET', script);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect((await call('GET', '/console/missing.js')).status).toBe(404);
  });

  it('a person acknowledges and resolves an alert; a later detector version opens it again', async () => {
    const store = new AlertStore(rt.deps.store!.client);
    await store.save([alert()]);
    const id = encodeURIComponent(alert().id);
    expect((await call('GET', '/v1/alerts/nope')).status).toBe(404);
    expect((await call('POST', '/v1/alerts/nope/acknowledge')).status).toBe(404);

    const acked = await call('POST', `/v1/alerts/${id}/acknowledge`);
    expect(acked.status).toBe(200);
    expect(acked.body).toMatchObject({ status: 'open', acknowledged_by: 'local' });

    const resolved = await call('POST', `/v1/alerts/${id}/resolve`);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolved_by: 'local', acknowledged_by: 'local' });
    expect((await call('POST', `/v1/alerts/${id}/resolve`)).status).toBe(409);
    expect((await call('GET', '/v1/alerts?brand=acme')).body.count).toBe(0);
    expect((await call('GET', '/v1/alerts?brand=acme&status=resolved')).body.items.map((a: Alert) => a.id)).toEqual([alert().id]);

    // The detector still sees the surge later on: its new version opens the alert again.
    await store.save([alert({ status: 'updated', observed: 20, updated_at: new Date(Date.now() + 60_000).toISOString() })]);
    const again = await call('GET', `/v1/alerts/${id}`);
    expect(again.body).toMatchObject({ status: 'updated', observed: 20 });
    expect(again.body.resolved_by).toBeUndefined();
    expect((await call('GET', '/v1/alerts?brand=acme')).body.count).toBe(1);
  });

  it('care: a hand-off with no helpdesk is refused with the reason; an item marked handled leaves the queue', async () => {
    const queue = (await call('GET', '/v1/care/queue?brand=acme&hours=24')).body.items as { brand: string; source: string; conversation_id: string }[];
    expect(queue.length).toBeGreaterThan(0);
    const item = queue[0]!;
    const path = `/v1/care/queue/${[item.brand, item.source, item.conversation_id].map(encodeURIComponent).join('/')}`;
    const handoff = await call('POST', `${path}/handoff`);
    expect(handoff.status).toBe(409);
    expect(handoff.body.error).toMatch(/EARSHOT_CARE_WEBHOOK_URL/);
    expect((await call('POST', `${path}/handled`)).body.status).toBe('handled');
    const after = (await call('GET', '/v1/care/queue?brand=acme&hours=24')).body.items as { conversation_id: string }[];
    expect(after.map((i) => i.conversation_id)).not.toContain(item.conversation_id);
    expect(after).toHaveLength(queue.length - 1);
    expect((await call('POST', `${path}/handled`)).status).toBe(404);
    expect((await call('POST', '/v1/care/queue/acme/Not%20A%20Source/x/handled')).status).toBe(400);
  });

  it('volume by brand is share of voice; by source it sums to the sentiment total', async () => {
    const from = at(-60);
    const to = at(60);
    const voice = (await call('GET', `/v1/stats/volume?by=brand&from=${from}&to=${to}`)).body;
    expect(voice.totals.map((t: { key: string }) => t.key)).toEqual(['acme', 'globex']);
    expect(voice.totals[0]).toMatchObject({ mentions: 3, share: 0.75 });
    const bySource = (await call('GET', `/v1/stats/volume?by=source&brand=acme&from=${from}&to=${to}`)).body;
    const sentiment = (await call('GET', `/v1/stats/sentiment?brand=acme&from=${from}&to=${to}`)).body;
    expect(bySource.totals.reduce((s: number, t: { mentions: number }) => s + t.mentions, 0)).toBe(sentiment.total);
    expect((await call('GET', '/v1/stats/volume')).status).toBe(400);
    expect((await call('GET', '/v1/brands')).body.items.map((b: { brand: string }) => b.brand)).toEqual(['acme', 'globex']);
  });

  it('mentions filter by intent, language and words in the text', async () => {
    const ids = async (q: string) => ((await call('GET', `/v1/mentions?brand=acme&${q}`)).body.items as { id: string }[]).map((m) => m.id).sort();
    expect(await ids('lang=de')).toEqual(['c3']);
    expect(await ids('q=CHECKOUT')).toEqual(['c2']);
    expect(await ids('intent=complaint')).toEqual(expect.arrayContaining(['c1']));
    expect((await call('GET', '/v1/mentions?lang=german')).status).toBe(400);
    expect((await call('GET', `/v1/mentions?q=${'x'.repeat(201)}`)).status).toBe(400);
  });

  it('imports events from a CSV body, naming the records it skipped', async () => {
    const csv = `title,starts_at,kind\nSpring sale,${at(-30)},campaign\nNo date,,campaign\n`;
    const res = await call('POST', '/v1/events/import?brand=acme', csv, 'text/csv');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ format: 'csv', imported: 1, rejected: [{ record: 2 }] });
    await rt.drain();
    expect((await call('GET', '/v1/events?brand=acme')).body.items.map((e: { title: string }) => e.title)).toContain('Spring sale');
    expect((await call('POST', '/v1/events/import', '', 'text/csv')).status).toBe(400);
    const none = await call('POST', '/v1/events/import', 'title,starts_at\n,\n', 'text/csv');
    expect(none.status).toBe(400);
    const badHeader = await call('POST', '/v1/events/import', 'name,when\nx,y\n', 'text/csv');
    expect(badHeader.status).toBe(400);
    expect(badHeader.body.error).toMatch(/header must name title/);
  });
});
