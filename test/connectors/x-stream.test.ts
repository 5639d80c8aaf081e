import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorRunner } from '@earshot/ingest';
import { eventually } from '../helpers.js';
import { connectorHarness, type ConnectorHarness } from './harness.js';
import { startFakeApi, type FakeApi, type FakeRequest, type Reply } from './fake-api.js';

type Health = { connector: string; brand: string; state: string; last_error: string | null; mentions: number };
const health = (r: ConnectorRunner) => r.health().check().detail as Health[];
type Rule = { id: string; value: string; tag?: string };
type Post = { id: string; text: string; created_at: string; author_id: string; note_tweet?: { text: string }; rule: string };

/**
 * The X filtered stream as X documents it (https://docs.x.com/x-api/posts/filtered-stream/introduction):
 * - one connection per app; a second gets `429 TooManyConnections` (a ConnectionException);
 * - rules are app-wide, each with a tag; every post names the rules it matched in `matching_rules`;
 * - POST rules answers 200 with `errors[]` and `meta.summary.invalid` when it refuses a rule,
 *   and `dry_run=true` validates without changing anything;
 * - X may end the stream with an error object (`operational-disconnect`) before closing it;
 * - posts over 280 characters carry the whole text in `note_tweet` when it is asked for.
 */
function fakeX(state: { rules: Rule[]; posted: Post[]; streams: ServerResponse[] }) {
  const users = [{ id: 'u1', username: 'jess', name: 'Jess', public_metrics: { followers_count: 12 } }];
  const live = () => state.streams.filter((s) => !s.destroyed);
  return (req: FakeRequest): Reply => {
    if (req.headers.authorization !== 'Bearer xt')
      return { status: 401, json: { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' } };
    const sent = new Date().toISOString();
    if (req.path === '/2/tweets/search/stream/rules' && req.method === 'GET')
      return { json: { data: state.rules, meta: { sent, result_count: state.rules.length } } };
    if (req.path === '/2/tweets/search/stream/rules') {
      const body = JSON.parse(req.body) as { add?: { value: string; tag: string }[]; delete?: { ids: string[] } };
      const bad = (body.add ?? []).filter((a) => a.value.includes('lang:zz'));
      const good = (body.add ?? []).filter((a) => !bad.includes(a));
      const dry = req.query.get('dry_run') === 'true';
      if (!dry && body.delete) state.rules = state.rules.filter((r) => !body.delete!.ids.includes(r.id));
      if (!dry) for (const a of good) state.rules.push({ id: `r${state.rules.length + 10}`, ...a });
      return {
        status: body.add ? 201 : 200,
        json: {
          ...(bad.length
            ? {
                errors: bad.map((b) => ({
                  value: b.value,
                  details: ['Reference to invalid operator value "zz"'],
                  title: 'UnprocessableEntity',
                  type: 'https://api.twitter.com/2/problems/invalid-rules',
                })),
              }
            : {}),
          meta: {
            sent,
            summary: body.add
              ? { created: good.length, not_created: bad.length, valid: good.length, invalid: bad.length }
              : { deleted: body.delete?.ids.length ?? 0, not_deleted: 0 },
          },
        },
      };
    }
    if (req.path === '/2/tweets/search/stream') {
      if (live().length > 0)
        return {
          status: 429,
          json: {
            title: 'ConnectionException',
            detail: 'This stream is currently at the maximum allowed connection limit.',
            connection_issue: 'TooManyConnections',
            type: 'https://api.twitter.com/2/problems/streaming-connection',
          },
        };
      if (!req.query.get('tweet.fields')?.includes('note_tweet')) throw new Error('note_tweet not requested');
      return { stream: (res) => (res.writeHead(200, { 'content-type': 'application/json' }), res.write('\r\n'), state.streams.push(res)) };
    }
    if (req.path === '/2/tweets/search/recent') {
      const since = BigInt(req.query.get('since_id') ?? '0');
      const data = state.posted
        .filter((p) => p.rule === req.query.get('query') && BigInt(p.id) > since)
        .reverse()
        .map(({ rule: _r, ...p }) => p);
      return {
        json: data.length
          ? { data, includes: { users }, meta: { result_count: data.length, newest_id: data[0]!.id, oldest_id: data.at(-1)!.id } }
          : { meta: { result_count: 0 } },
      };
    }
    return { status: 404, json: {} };
  };
}

describe('x_stream: one connection for every brand, one rule each', () => {
  let h: ConnectorHarness;
  let api: FakeApi;
  let runner: ConnectorRunner;
  const state = {
    rules: [
      { id: 'r-old', value: 'old rule', tag: 'earshot:acme.x_stream' },
      { id: 'r-other', value: 'someone else', tag: 'theirs' },
    ] as Rule[],
    posted: [] as Post[],
    streams: [] as ServerResponse[],
  };
  const users = [{ id: 'u1', username: 'jess', name: 'Jess', public_metrics: { followers_count: 12 } }];
  let seq = 0;
  const post = (text: string, rule: string, extra: Partial<Post> = {}) => {
    const p: Post = { id: String(1_900_000_000_000_000_000n + BigInt(++seq)), text, created_at: new Date().toISOString(), author_id: 'u1', rule, ...extra };
    state.posted.push(p);
    return p;
  };
  const send = (line: string) => state.streams.filter((s) => !s.destroyed).forEach((s) => s.write(`${line}\r\n`));
  const event = (p: Post, tags: string[]) => {
    const { rule: _r, ...data } = p;
    return JSON.stringify({ data, includes: { users }, matching_rules: tags.map((tag, i) => ({ id: `m${i}`, tag })) });
  };
  const ACME = '@acme -is:retweet';
  const GLOBEX = 'globex coffee';

  beforeAll(async () => {
    h = await connectorHarness();
    api = await startFakeApi(fakeX(state));
    const source = (rule: string) => `      - { type: x_stream, rule: "${rule}", base_url: "${api.url}", idle_seconds: 2 }\n`;
    runner = h.runner(
      `brands:\n  - id: acme\n    query: "@acme"\n    sources:\n${source(ACME)}  - id: globex\n    query: globex\n    sources:\n${source(GLOBEX)}`,
      { env: { EARSHOT_X_BEARER_TOKEN: 'xt' }, backoffMs: 50 },
    );
    runner.start();
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await h?.close();
  });

  it('two brands share one connection; their rules are kept in sync, others left alone', async () => {
    await eventually(async () => health(runner)[0]?.state === 'connected');
    expect(health(runner)).toMatchObject([{ connector: 'x_stream', brand: 'acme,globex', state: 'connected' }]);
    expect(state.streams).toHaveLength(1);
    expect(
      state.rules
        .filter((r) => r.tag?.startsWith('earshot:'))
        .map((r) => [r.tag, r.value])
        .sort(),
    ).toEqual([
      ['earshot:acme', ACME],
      ['earshot:globex', GLOBEX],
    ]);
    expect(state.rules.some((r) => r.tag === 'theirs')).toBe(true);
    expect(api.requests.some((r) => r.query.get('dry_run') === 'true')).toBe(true);
  });

  it('posts go to the brands whose rules matched them; the full text of a long post is kept', async () => {
    const long = `@acme ${'my bill doubled again and nobody answers. '.repeat(12)}`.trim();
    send(event(post(long.slice(0, 277) + '…', ACME, { note_tweet: { text: long } }), ['earshot:acme']));
    send(event(post('globex coffee is cold', GLOBEX), ['earshot:globex']));
    send(event(post('globex coffee beats @acme', GLOBEX), ['earshot:acme', 'earshot:globex']));
    send('{"broken": ');
    await eventually(async () => h.ids().length === 3 && h.letters.length === 1);
    expect(h.landed.map((m) => [m.text.slice(0, 30), m.brands]).sort()).toEqual([
      ['@acme my bill doubled again an', ['acme']],
      ['globex coffee beats @acme', ['acme', 'globex']],
      ['globex coffee is cold', ['globex']],
    ]);
    expect(h.landed.find((m) => m.text.startsWith('@acme my bill'))!.text).toBe(long);
    expect(h.letters[0]).toMatchObject({ origin: 'connector:x_stream', reason: expect.stringMatching(/not a post event/) });
  });

  it('after a dropped connection: recent search per rule from what each brand saw last, once', async () => {
    api.dropConnections();
    post('@acme posted while we were away', ACME);
    post('globex coffee during the outage', GLOBEX);
    await eventually(async () => state.streams.filter((s) => !s.destroyed).length === 1 && h.ids().length === 5);
    const searches = api.requests.filter((r) => r.path === '/2/tweets/search/recent').slice(-2);
    expect(searches.map((r) => r.query.get('query')).sort()).toEqual([ACME, GLOBEX].sort());
    expect(
      h.landed
        .slice(-2)
        .map((m) => [m.text, m.brands])
        .sort(),
    ).toEqual([
      ['@acme posted while we were away', ['acme']],
      ['globex coffee during the outage', ['globex']],
    ]);
    expect(new Set(h.ids()).size).toBe(5);
  });

  it('an operational-disconnect error object is a disconnect with its reason, not a dead letter', async () => {
    const letters = h.letters.length;
    const connections = state.streams.length;
    send(
      JSON.stringify({
        errors: [
          {
            title: 'operational-disconnect',
            disconnect_type: 'UpstreamOperationalDisconnect',
            detail: 'This stream has been disconnected upstream for operational reasons.',
            type: 'https://api.twitter.com/2/problems/operational-disconnect',
          },
        ],
      }),
    );
    // X closes the connection after the error object.
    setTimeout(() => state.streams.forEach((s) => s.destroy()), 50);
    await eventually(async () => state.streams.length === connections + 1 && health(runner)[0]!.state === 'connected');
    expect(h.letters.length).toBe(letters);
  });

  it('a silent connection (no keep-alive) counts as dead and is replaced', async () => {
    const before = state.streams.length;
    await eventually(async () => state.streams.length > before, { timeoutMs: 10_000 });
    expect(state.streams.length).toBeGreaterThan(before);
  });
});

describe('x_stream: a rule X refuses fails loudly', () => {
  let h: ConnectorHarness;
  let api: FakeApi;
  let runner: ConnectorRunner;
  const state = { rules: [] as Rule[], posted: [] as Post[], streams: [] as ServerResponse[] };

  beforeAll(async () => {
    h = await connectorHarness();
    api = await startFakeApi(fakeX(state));
    runner = h.runner(`brands:\n  - id: acme\n    query: acme\n    sources:\n      - { type: x_stream, rule: "acme lang:zz", base_url: "${api.url}" }\n`, {
      env: { EARSHOT_X_BEARER_TOKEN: 'xt' },
      backoffMs: 50,
    });
    runner.start();
  });
  afterAll(async () => {
    await runner?.stop();
    await api?.close();
    await h?.close();
  });

  it('the 200 answer with errors[] is an error in health naming the rule; nothing is added, no stream opened', async () => {
    await eventually(async () => health(runner)[0]!.last_error !== null);
    expect(health(runner)[0]!.last_error).toMatch(
      /X refused the stream rules: "acme lang:zz" \(UnprocessableEntity: Reference to invalid operator value "zz"\)/,
    );
    expect(state.rules).toEqual([]);
    expect(state.streams).toHaveLength(0);
  });
});
