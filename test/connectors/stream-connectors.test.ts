import type { AddressInfo } from 'node:net';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { loadBrandsFile, type ConnectorRunner } from '@earshot/ingest';
import { ClickHouseLease } from '@earshot/shared';
import { eventually } from '../helpers.js';
import { harnessForSuite } from './harness.js';
import { startFakeApi, type FakeApi } from './fake-api.js';

type Health = { connector: string; state: string; last_error: string | null; mentions: number };
const health = (r: ConnectorRunner) => r.health().check().detail as Health[];

/**
 * Streams hold a connection open; when it drops, the runner reconnects with back-off and
 * what was posted meanwhile is caught up (from the source's cursor, or by a search from
 * the last post seen), so nothing is lost and nothing comes twice.
 */
describe('stream connectors', () => {
  const h = harnessForSuite();

  /**
   * Mastodon as large instances run it (https://docs.joinmastodon.org/methods/streaming/):
   * streaming needs a token since 4.2; the instance serves it from another host, named in
   * `/api/v2/instance` `configuration.urls.streaming`, and its own /api/v1/streaming answers
   * 301 there (fetch drops Authorization on such a cross-origin redirect, and the stream
   * host answers 401); 4.5 can make a feed `authenticated` or `disabled` (timelines_access).
   */
  describe('mastodon_stream: server-sent events from the streaming host, timeline catch-up on each connect', () => {
    let api: FakeApi;
    let streaming: FakeApi;
    let runner: ConnectorRunner;
    const statuses: Record<string, unknown>[] = [];
    const streams: ServerResponse[] = [];
    let hashtagFeeds = { local: 'public', remote: 'public' };
    let seq = 0;
    const status = (text: string, at = Date.now()) => {
      const s = {
        // Snowflake ids (mastodon/mastodon lib/mastodon/snowflake.rb): ms since the epoch above 16 bits.
        id: String((BigInt(at) << 16n) | BigInt(++seq)),
        uri: `https://m.example/s/${seq}`,
        url: `https://m.example/@a/${seq}`,
        created_at: new Date(at).toISOString(),
        content: `<p>${text}</p>`,
        spoiler_text: '',
        language: 'en',
        in_reply_to_id: null,
        replies_count: 0,
        reblogs_count: 0,
        favourites_count: 0,
        account: { id: '7', username: 'ann', acct: 'ann', display_name: 'Ann', followers_count: 3 },
      };
      statuses.push(s);
      return s;
    };
    const unauthorized = { status: 401, json: { error: 'The access token is invalid' } };

    beforeAll(async () => {
      status('old news about #acme');
      streaming = await startFakeApi((req) => {
        if (req.headers.authorization !== 'Bearer mt') return unauthorized;
        if (req.path === '/api/v1/streaming/hashtag')
          return { stream: (res) => (res.writeHead(200, { 'content-type': 'text/event-stream' }), res.write(':)\n\n'), streams.push(res)) };
        return { status: 404, json: { error: 'Not found' } };
      });
      api = await startFakeApi((req) => {
        if (req.path === '/api/v2/instance')
          return {
            json: {
              domain: 'm.example',
              version: '4.5.0',
              configuration: {
                urls: { streaming: streaming.url.replace(/^http/, 'ws') },
                timelines_access: {
                  live_feeds: { local: 'public', remote: 'public' },
                  hashtag_feeds: hashtagFeeds,
                  trending_link_feeds: { local: 'public', remote: 'public' },
                },
              },
            },
          };
        if (req.path.startsWith('/api/v1/streaming/')) return { status: 301, headers: { location: `${streaming.url}${req.path}?${req.query}` }, text: '' };
        if (req.path === '/api/v1/timelines/tag/acme') {
          const min = BigInt(req.query.get('min_id') ?? 0);
          const max = req.query.has('max_id') ? BigInt(req.query.get('max_id')!) : null;
          return { json: statuses.filter((s) => BigInt(s.id as string) > min && (max === null || BigInt(s.id as string) < max)).reverse() };
        }
        return { status: 404, json: { error: 'Record not found' } };
      });
      runner = h.runner(
        `brands:\n  - id: globex\n    query: "#acme"\n    sources:\n      - { type: mastodon_stream, instance: "https://m.example", hashtag: acme, base_url: "${api.url}" }\n`,
        { backoffMs: 50, env: { EARSHOT_MASTODON_TOKEN: 'mt' } },
      );
      runner.start();
    });
    afterAll(async () => {
      await runner?.stop();
      await api?.close();
      await streaming?.close();
    });

    it('a token is required for streaming', () => {
      expect(() =>
        loadBrandsFile(
          'b.yaml',
          'brands:\n  - id: globex\n    sources:\n      - { type: mastodon_stream, instance: "https://m.example", hashtag: acme }\n',
          {},
        ),
      ).toThrow(/mastodon_stream needs EARSHOT_MASTODON_TOKEN/);
    });

    it('catches up from the timeline, then takes updates from the streaming host; a drop loses nothing', async () => {
      const base = h.ids().length;
      await eventually(async () => streams.length === 1 && h.ids().length === base + 1);
      const live = status('live #acme update');
      streams[0]!.write(`event: update\ndata: ${JSON.stringify(live)}\n\n:thump\n\nevent: delete\ndata: 123\n\n`);
      await eventually(async () => h.ids().length === base + 2);
      streaming.dropConnections();
      status('posted during the outage #acme');
      // A boosted original the instance fetched meanwhile: its id is from its publish time, 5
      // minutes back, below the last id streamed; the catch-up looks back overlap_minutes (10).
      status('boosted original #acme', Date.now() - 5 * 60_000);
      await eventually(async () => streams.length === 2 && h.ids().length === base + 4);
      expect(
        h.landed
          .slice(-4)
          .map((m) => [m.source, m.text, m.author.handle])
          .sort(),
      ).toEqual([
        ['mastodon', 'boosted original #acme', 'ann@m.example'],
        ['mastodon', 'live #acme update', 'ann@m.example'],
        ['mastodon', 'old news about #acme', 'ann@m.example'],
        ['mastodon', 'posted during the outage #acme', 'ann@m.example'],
      ]);
      expect(new Set(h.ids()).size).toBe(h.ids().length);
    });

    it('a feed the instance turned off is an error in health, not a quiet source', async () => {
      hashtagFeeds = { local: 'disabled', remote: 'disabled' };
      streaming.dropConnections();
      await eventually(async () => /has turned off its hashtag feed #acme/.test(health(runner)[0]!.last_error ?? ''));
      hashtagFeeds = { local: 'public', remote: 'public' };
    });
  });

  describe('jetstream: the Bluesky firehose over WebSocket, filtered by brand queries, resumed from its cursor', () => {
    let wss: WebSocketServer;
    let runner: ConnectorRunner;
    const log: { did: string; time_us: number; kind: string; commit?: unknown }[] = [];
    const connections: { socket: WebSocket; cursor: string | null }[] = [];
    let t = 1_763_640_000_000_000;
    const event = (text: string, extra: Record<string, unknown> = {}) => {
      const e = {
        did: `did:plc:${log.length}`,
        time_us: (t += 1_000_000),
        kind: 'commit',
        commit: {
          rev: 'r',
          operation: 'create',
          collection: 'app.bsky.feed.post',
          rkey: `k${log.length}`,
          record: { $type: 'app.bsky.feed.post', text, createdAt: new Date(t / 1000).toISOString(), langs: ['en'] },
          cid: 'c',
        },
        ...extra,
      };
      log.push(e);
      return e;
    };
    const broadcast = (e: unknown) => connections.forEach((c) => c.socket.send(JSON.stringify(e)));

    beforeAll(async () => {
      wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
      wss.on('connection', (socket, req) => {
        const cursor = new URL(req.url ?? '/', 'http://x').searchParams.get('cursor');
        connections.push({ socket, cursor });
        // Replays from the cursor, as Jetstream does.
        if (cursor) for (const e of log.filter((x) => x.time_us >= Number(cursor))) socket.send(JSON.stringify(e));
      });
      await new Promise((r) => wss.once('listening', r));
      const port = (wss.address() as AddressInfo).port;
      runner = h.runner(
        `brands:\n  - id: initech\n    query: initech\n    sources:\n      - { type: jetstream, base_url: "ws://127.0.0.1:${port}", rewind_seconds: 3 }\n`,
        { backoffMs: 50 },
      );
      runner.start();
    });
    afterAll(async () => {
      await runner?.stop();
      for (const c of connections) c.socket.terminate();
      await new Promise((r) => wss.close(r));
    });

    it('hands over only posts that match a brand; a malformed event is dead-lettered', async () => {
      await eventually(async () => connections.length === 1);
      const base = h.ids().length;
      const letters = h.letters.length;
      broadcast(event('initech printers jam again'));
      broadcast(event('nothing to see here'));
      broadcast({ did: 'x', kind: 'commit' });
      broadcast(event('deleted', { commit: { operation: 'delete', collection: 'app.bsky.feed.post', rkey: 'z' } }));
      broadcast(event('love my initech stapler'));
      await eventually(async () => h.ids().length === base + 2 && h.letters.length === letters + 1);
      expect(
        h.landed
          .slice(-2)
          .map((m) => [m.source, m.text, m.brands])
          .sort(),
      ).toEqual([
        ['bluesky', 'initech printers jam again', ['initech']],
        ['bluesky', 'love my initech stapler', ['initech']],
      ]);
      expect(h.letters.at(-1)!.reason).toMatch(/Jetstream event is not in the documented shape/);
    });

    it('reconnects from its cursor (rewound a little) after a drop: the gap is replayed, repeats dropped', async () => {
      const base = h.ids().length;
      await new Promise((r) => setTimeout(r, 1200)); // let the cursor be published
      connections[0]!.socket.terminate();
      event('initech during the outage');
      event('more initech during the outage');
      await eventually(async () => connections.length === 2 && h.ids().length === base + 2);
      expect(Number(connections[1]!.cursor)).toBeLessThan(log.at(-3)!.time_us);
      expect(
        h.landed
          .slice(-2)
          .map((m) => m.text)
          .sort(),
      ).toEqual(['initech during the outage', 'more initech during the outage']);
      expect(new Set(h.ids()).size).toBe(h.ids().length);
    });

    it('a replica that loses the lease closes its stream and stands by', async () => {
      const port = (wss.address() as AddressInfo).port;
      const lease = new ClickHouseLease(h.store.client, 'ingest_leases', 'replica-b');
      const standby = h.runner(
        `brands:\n  - id: initech\n    query: initech\n    sources:\n      - { type: jetstream, id: leased, base_url: "ws://127.0.0.1:${port}" }\n`,
        { lease, leaseRenewMs: 100 },
      );
      const before = connections.length;
      standby.start();
      try {
        await eventually(async () => health(standby)[0]!.state === 'connected');
        expect(connections.length).toBe(before + 1);
        // Replica "a" (the smaller id) shows up alive: it leads now.
        await new ClickHouseLease(h.store.client, 'ingest_leases', 'replica-a').isLeader(Date.now());
        await eventually(async () => health(standby)[0]!.state === 'standby', { timeoutMs: 10_000 });
        await eventually(async () => connections[before]!.socket.readyState === connections[before]!.socket.CLOSED, { timeoutMs: 10_000 });
        expect(connections.length).toBe(before + 1);
      } finally {
        await standby.stop();
      }
    });
  });
});
