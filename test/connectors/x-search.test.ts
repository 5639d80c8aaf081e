import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@earshot/shared';
import type { ConnectorRunner } from '@earshot/ingest';
import { metricValue } from '../helpers.js';
import { connectorHarness, type ConnectorHarness } from './harness.js';
import { startFakeApi, type FakeApi } from './fake-api.js';
import { POLL_CASES, type Held } from './poll-sources.js';

const DAY = 24 * 3_600_000;
const T0 = Date.parse('2026-11-01T12:00:00Z');
const x = POLL_CASES.find((c) => c.type === 'x_search')!;

type Health = { state: string; notice: { message: string } | null; last_error: string | null };

/**
 * X recent search only reaches back 7 days (https://docs.x.com/x-api/posts/search-recent-posts:
 * `start_time` "from most recent seven days"; an older `since_id` or `start_time` is a 400).
 * After a longer outage the connector must go on from what is still reachable and say
 * that a gap occurred, not fail every poll for ever.
 */
describe('x_search after an outage longer than the search window', () => {
  let h: ConnectorHarness;
  let api: FakeApi;
  let runner: ConnectorRunner;
  const clock = new ManualClock(T0);
  const held: Held[] = [];
  const add = (t: number) => {
    const n = held.length;
    held.push({ n, t, raw: x.item(n, t) });
    return x.id(n, t);
  };
  const health = () => (runner.health().check().detail as Health[])[0]!;
  const poll = () => runner.pollOnce('acme.x_search');

  beforeAll(async () => {
    h = await connectorHarness();
    api = await startFakeApi((req) => x.route(req, held, clock.now()));
    runner = h.runner(`brands:\n  - id: acme\n    query: "@acme"\n    sources:\n      - ${JSON.stringify({ type: 'x_search', ...x.options(api.url) })}\n`, {
      env: x.env,
      clock,
    });
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await h?.close();
  });

  it('resumes from the oldest reachable time, reports the gap, and does not fail', async () => {
    const first = add(T0 - 60_000);
    expect(await poll()).toBe('ok');
    // Ten days without a poll; posts every day.
    const during = Array.from({ length: 10 }, (_, d) => ({ t: T0 + d * DAY + 3_600_000, id: add(T0 + d * DAY + 3_600_000) }));
    clock.advance(10 * DAY);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    const reach = clock.now() - 7 * DAY;
    expect(h.ids().sort()).toEqual([first, ...during.filter((p) => p.t >= reach).map((p) => p.id)].sort());
    expect(health().state).toBe('ok');
    expect(health().notice?.message).toMatch(/7 days.*gap/);
    const asked = api.requests.filter((r) => r.path === '/2/tweets/search/recent').at(-1)!;
    expect(asked.query.get('since_id')).toBeNull();
    expect(Date.parse(asked.query.get('start_time')!)).toBeGreaterThanOrEqual(reach);
  });

  it('the next poll goes on from the newest post, no gap reported again', async () => {
    const notices = await h.bus.whenIdle().then(() => health().notice);
    const fresh = add(clock.now() - 1000);
    clock.advance(60_000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(h.ids().at(-1)).toBe(fresh);
    expect(api.requests.at(-1)!.query.get('since_id')).not.toBeNull();
    expect(health().notice).toEqual(notices);
  });
});

/**
 * X bills each post read (https://docs.x.com/x-api/getting-started/pricing): a monthly read
 * budget pauses the connector, visibly, when spent; engagement refresh (lookups, billed too)
 * is off unless asked for.
 */
describe('x_search: monthly read budget, refresh opt-in', () => {
  let h: ConnectorHarness;
  let api: FakeApi;
  let runner: ReturnType<ConnectorHarness['runner']>;
  const clock = new ManualClock(Date.parse('2026-11-28T12:00:00Z'));
  const held: Held[] = [];
  const add = (t: number) => {
    const n = held.length;
    held.push({ n, t, raw: x.item(n, t) });
  };
  const health = () => (runner.health().check().detail as (Health & { next_attempt_at: string | null })[])[0]!;
  const poll = () => runner.pollOnce('acme.x_search');

  beforeAll(async () => {
    h = await connectorHarness();
    api = await startFakeApi((req) => x.route(req, held, clock.now()));
    runner = h.runner(
      `brands:\n  - id: acme\n    query: "@acme"\n    sources:\n      - ${JSON.stringify({ type: 'x_search', ...x.options(api.url), monthly_read_budget: 150 })}\n`,
      { env: x.env, clock },
    );
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await h?.close();
  });

  it('reads until the budget is spent, then pauses until the month ends, saying so', async () => {
    for (let i = 0; i < 130; i++) add(clock.now() - 60_000 - i * 1000);
    expect(await poll()).toBe('ok');
    expect(health().state).toBe('ok');
    for (let i = 0; i < 30; i++) add(clock.now() - 1000 - i);
    clock.advance(60_000);
    expect(await poll()).toBe('ok');
    expect(health().state).toBe('budget_spent');
    expect(health().notice?.message).toMatch(/monthly read budget of 150 items spent \(160 read in 2026-11\); paused until 2026-12-01T00:00:00.000Z/);
    const calls = api.requests.length;
    add(clock.now() - 1000);
    clock.advance(3_600_000);
    expect(await poll()).toBe('deferred');
    expect(api.requests.length).toBe(calls);
    expect(await metricValue(runner.metrics.registry, 'earshot_connector_budget_remaining', { connector: 'acme.x_search' })).toBe(0);
    clock.set(Date.parse('2026-12-01T00:00:01Z'));
    expect(await poll()).toBe('ok');
    expect(health().state).toBe('ok');
  });

  it('no engagement refresh unless the brands file asks for it', async () => {
    const calls = api.requests.length;
    expect(await runner.refreshOnce('acme.x_search')).toBe(0);
    expect(api.requests.length).toBe(calls);
  });
});
