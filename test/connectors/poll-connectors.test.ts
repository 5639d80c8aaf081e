import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '@earshot/shared';
import { readFileSync } from 'node:fs';
import { SOURCES, type ConnectorRunner } from '@earshot/ingest';
import { harnessForSuite } from './harness.js';
import { startFakeApi, type FakeApi } from './fake-api.js';
import { POLL_CASES, type Held, type PollCase } from './poll-sources.js';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const reference = readFileSync(new URL('../../docs/connectors.md', import.meta.url), 'utf8');

/**
 * Every poll connector against a fake of its API, through the real runner, ingestor,
 * in-process bus and ClickHouse checkpoints: what lands on the raw topic after the first
 * poll, an empty poll, new items, a 429 with Retry-After, 5xx, a dropped connection, a malformed answer, a
 * malformed item, and a restart.
 */
// One store, bus and ingestor for every source (each has its own connector id, so its own
// checkpoints): opening and migrating a store per source was most of this file's time.
const h = harnessForSuite();

describe.each(POLL_CASES.map((c) => [c.type, c] as const))('%s connector', (type, c: PollCase) => {
  let api: FakeApi;
  const clock = new ManualClock(T0);
  const held: Held[] = [];
  let runner: ConnectorRunner;
  let next = 0;

  const add = (count: number, at: (i: number) => number) => {
    const made: number[] = [];
    for (let i = 0; i < count; i++) {
      const n = next++;
      const t = at(i);
      held.push({ n, t, raw: c.item(n, t) });
      made.push(n);
    }
    return made;
  };

  const startRunner = async (extra: Record<string, unknown> = {}) => {
    const yaml = `brands:\n  - id: acme\n    query: "${c.brandQuery ?? 'acme'}"\n    sources:\n      - ${JSON.stringify({ type, ...c.options(api.url), ...extra })}\n`;
    return h.runner(yaml, { env: c.env, clock });
  };

  const ids = () => h.landed.map((m) => m.id).filter((id) => !id.endsWith(':reply'));
  const idOf = (n: number) => c.id(n, held.find((h) => h.n === n)!.t);
  const idsOf = (ns: number[]) => ns.map(idOf);
  const poll = () => runner.pollOnce(`acme.${type}`);
  const state = () => (runner.health().check().detail as { state: string; last_error: string | null; next_attempt_at: string | null }[])[0]!;

  beforeAll(async () => {
    // What the sources before this one published is theirs: the checks below read what this one does.
    await h.bus.whenIdle();
    h.forget();
    api = await startFakeApi((req) => c.route(req, held, clock.now()));
    runner = await startRunner();
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
  });

  it('first poll: every item of the last day, across pages, normalised', async () => {
    const old = add(1, () => T0 - 30 * 3_600_000); // beyond the 24 h first-poll lookback
    const made = add(130, (i) => T0 - 60_000 - i * 4 * 60_000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(ids().sort()).toEqual(idsOf(made).sort());
    expect(ids()).not.toContain(idOf(old[0]!));
    for (const n of [made[0]!, made[7]!]) {
      const m = h.landed.find((x) => x.id === idOf(n))!;
      c.check(m, n, held.find((h) => h.n === n)!.t);
    }
    expect(state().state).toBe('ok');
    const replies = h.landed.filter((m) => m.id.endsWith(':reply'));
    expect(replies.length > 0).toBe(['trustpilot', 'google_business', 'google_play', 'appstore_connect'].includes(type));
    for (const r of replies) expect(r).toMatchObject({ in_reply_to: r.id.replace(/:reply$/, ''), author: { handle: 'acme' }, brands: ['acme'] });
  });

  it('an empty poll publishes nothing', async () => {
    const before = h.landed.length;
    clock.advance(60_000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(h.landed.length).toBe(before);
  });

  it('new items land once, with no repeat of the old', async () => {
    const made = add(3, (i) => clock.now() - 10_000 + i * 1000);
    clock.advance(60_000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(new Set(ids()).size).toBe(ids().length);
    expect(ids().slice(-3).sort()).toEqual(idsOf(made).sort());
  });

  it('429 with Retry-After: waits that long, loses nothing', async () => {
    const made = add(2, () => clock.now() - 5000);
    api.failNext({ status: 429, headers: { 'retry-after': '120' }, json: { title: 'Too Many Requests' } });
    expect(await poll()).toBe('rate_limited');
    expect(state()).toMatchObject({ state: 'rate_limited', next_attempt_at: new Date(clock.now() + 120_000).toISOString() });
    expect(await poll()).toBe('deferred');
    clock.advance(121_000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(ids().slice(-2).sort()).toEqual(idsOf(made).sort());
  });

  it('5xx: retried with back-off inside the poll', async () => {
    const made = add(1, () => clock.now() - 1000);
    api.failNext({ status: 503, text: 'upstream unavailable' }, 2);
    clock.advance(60_000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(ids().at(-1)).toBe(idOf(made[0]!));
  });

  it('a dropped connection: retried inside the poll', async () => {
    const made = add(1, () => clock.now() - 1000);
    api.failNext({ drop: true }, 2);
    clock.advance(60_000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(ids().at(-1)).toBe(idOf(made[0]!));
  });

  it('a malformed answer fails the poll and backs off; the next poll catches up', async () => {
    api.failNext(c.garbage ?? { text: '<html>Service busy</html>' }, 1);
    clock.advance(60_000);
    expect(await poll()).toBe('failed');
    expect(state().state).toBe('failing');
    expect(state().last_error).toMatch(/not JSON|unexpected shape|neither RSS nor Atom/);
    const made = add(1, () => clock.now() - 1000);
    expect(await poll()).toBe('deferred');
    clock.advance(1000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(ids().at(-1)).toBe(idOf(made[0]!));
  });

  it('a malformed item goes to the dead letters with its reason; the good ones land', async () => {
    const n = next++;
    held.push({ n, t: clock.now() - 2000, raw: c.broken(n, clock.now() - 2000) });
    const made = add(1, () => clock.now() - 1000);
    clock.advance(60_000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(ids().at(-1)).toBe(idOf(made[0]!));
    expect(ids()).not.toContain(idOf(n));
    expect(h.letters.at(-1)).toMatchObject({ origin: `connector:acme.${type}`, stage: 'ingest.connector' });
    expect(h.letters.at(-1)!.reason).toMatch(/documented shape|no guid|not "YYYY|no userComment/);
  });

  it('a restart resumes from the stored checkpoint: no repeats, no gap', async () => {
    await runner.stop();
    const made = add(2, (i) => clock.now() - 3000 + i);
    runner = await startRunner();
    clock.advance(60_000);
    const before = h.landed.length;
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(
      h.landed
        .slice(before)
        .map((m) => m.id)
        .filter((id) => !id.endsWith(':reply'))
        .sort(),
    ).toEqual(idsOf(made).sort());
    expect(new Set(ids()).size).toBe(ids().length);
  });

  // docs/connectors.md: "max_pages: pages one poll reads at most; the rest comes next poll".
  it.skipIf(!c.pageSize)('a burst of five times max_pages between two polls: every item lands exactly once over the next polls', async () => {
    await runner.stop();
    runner = await startRunner({ max_pages: 1 });
    const spacing = c.burstSpacingMs ?? 10;
    clock.advance(5 * c.pageSize! * spacing + 60_000); // the burst falls wholly after the last poll
    const made = add(5 * c.pageSize!, (i) => clock.now() - 1000 - i * spacing);
    const before = ids().length;
    const outcomes: string[] = [];
    for (let i = 0; i < 8; i++) {
      clock.advance(60_000);
      outcomes.push(await poll());
    }
    await h.bus.whenIdle();
    expect(outcomes.every((o) => o === 'ok')).toBe(true);
    expect(ids().slice(before).sort()).toEqual(idsOf(made).sort());
    expect(new Set(ids()).size).toBe(ids().length);
  });

  // docs/connectors.md, overlap_minutes: "how far before the newest item already seen each
  // poll looks again, for items a search index shows late". A source whose service cannot
  // show such an item says why in its definition (`lateItems`) and in the docs' table.
  it('an item that appears late, older than items already seen, lands exactly once (or the source says why it cannot)', async () => {
    await runner.stop();
    runner = await startRunner({ overlap_minutes: 60 });
    clock.advance(60_000);
    const [newest] = add(1, () => clock.now() - 1000);
    expect(await poll()).toBe('ok');
    await h.bus.whenIdle();
    expect(ids()).toContain(idOf(newest!));
    const newestAt = held.find((x) => x.n === newest)!.t;
    const [late] = add(1, () => newestAt - 30 * 60_000);
    for (let i = 0; i < 2; i++) {
      clock.advance(60_000);
      expect(await poll()).toBe('ok');
    }
    await h.bus.whenIdle();
    const blind = SOURCES.find((s) => s.type === type)!.lateItems;
    if (blind) {
      const row = reference.split('\n').find((l) => l.startsWith('| `') && l.split('|')[1]!.includes(`\`${type}\``));
      expect(row, `docs/connectors.md: the "cannot see" table's row for ${type}`).toMatch(/late/i);
      return;
    }
    expect(ids().filter((id) => id === idOf(late!))).toHaveLength(1);
    expect(new Set(ids()).size).toBe(ids().length);
  });
});
