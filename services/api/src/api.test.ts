import type { Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ManualClock,
  MemoryBus,
  MentionRowSchema,
  TableInserter,
  closeServer,
  createApp,
  createLogger,
  createMetrics,
  eventsTopic,
  listen,
  loadConfig,
  mentionToRow,
  mentionsEnrichedTopic,
  migrate,
  openStore,
  topicName,
  type EnrichedMention,
  type Store,
} from '@earshot/shared';
import { createApiService } from './index.js';

/**
 * The api service on its own over the real engine (chDB) and the in-process bus: rows put
 * straight into the tables, the service's routers behind the shared HTTP app, no ingest,
 * classifier or writer. What each route answers for what is stored.
 */
describe('api routes over chDB', () => {
  const dir = mkdtempSync(join(tmpdir(), 'earshot-api-'));
  const T = Date.parse('2026-11-20T12:00:00Z');
  const clock = new ManualClock(T);
  const logger = createLogger('silent');
  const metrics = createMetrics({ defaultMetrics: false });
  const config = loadConfig({ EARSHOT_DATA_DIR: dir, EARSHOT_LOG_LEVEL: 'silent', EARSHOT_TOPIC_PREFIX: 'api-unit.' });
  const bus = new MemoryBus({ partitions: 1, capacity: 1000, logger, metrics, clock });
  const published: { title: string }[] = [];
  let store: Store;
  let server: Server;
  let url: string;

  const example = mentionsEnrichedTopic.examples[0]!;
  const at = (minutesBefore: number) => new Date(T - minutesBefore * 60_000).toISOString();
  const stored = (id: string, label: 'negative' | 'neutral' | 'positive', minutesBefore: number) =>
    ({
      ...example,
      source: 'api-unit',
      id,
      brands: ['acme'],
      created_at: at(minutesBefore),
      sentiment: { label, score: label === 'negative' ? -0.8 : label === 'positive' ? 0.8 : 0, probs: { negative: 0, neutral: 0, positive: 0, [label]: 1 } },
      intents: label === 'negative' ? [{ label: 'complaint', score: 0.9 }] : [],
    }) as EnrichedMention;
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    store = await openStore(config);
    await migrate(store.client, logger);
    const rows = [stored('n1', 'negative', 30), stored('n2', 'negative', 90), stored('p1', 'positive', 20), stored('u1', 'neutral', 150)].map((m) =>
      mentionToRow(m),
    );
    await new TableInserter(store.client, 'mentions', MentionRowSchema, { logger, metrics }).insert(rows);
    await bus.subscribe({
      group: 'test',
      topic: topicName(config, eventsTopic.name),
      maxBatch: 10,
      maxWaitMs: 0,
      handler: async (ms) => void published.push(...ms.map((m) => JSON.parse(m.value.toString()) as { title: string })),
    });
    const api = createApiService({ config, logger, metrics, clock, bus, store });
    server = await listen(createApp({ routers: api.routers ?? [], registry: metrics.registry, health: [], logger }), '127.0.0.1', 0);
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    if (server) await closeServer(server);
    await bus.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GET /v1/mentions filters by sentiment, newest first', async () => {
    const { status, body } = await get('/v1/mentions?brand=acme&sentiment=negative');
    expect(status).toBe(200);
    expect((body.items as { id: string }[]).map((m) => m.id)).toEqual(['n1', 'n2']);
    expect(body.count).toBe(2);
  });

  it('GET /v1/mentions refuses a limit out of range, naming it', async () => {
    const { status, body } = await get('/v1/mentions?limit=0');
    expect(status).toBe(400);
    expect(body.error).toMatch(/limit/);
  });

  it('GET /v1/stats/sentiment counts the last hours by label, against the clock it was given', async () => {
    const { status, body } = await get('/v1/stats/sentiment?brand=acme&from=2026-11-20T09:00:00Z&to=2026-11-20T12:00:00Z&interval=1h');
    expect(status).toBe(200);
    expect(body.total).toBe(4);
    const buckets = body.buckets as { mentions: number }[];
    expect(buckets.reduce((n, b) => n + b.mentions, 0)).toBe(4);
  });

  it('GET /v1/stats/sentiment with an intent counts that intent in each bucket (what a complaint alert charts)', async () => {
    const { status, body } = await get('/v1/stats/sentiment?brand=acme&from=2026-11-20T09:00:00Z&to=2026-11-20T12:00:00Z&interval=1h&intent=complaint');
    expect(status).toBe(200);
    expect(body.intent).toBe('complaint');
    const buckets = body.buckets as { start: string; intent: number }[];
    // n1 (30 min before) and n2 (90 min before) are the complaints: one in each of the last two hours.
    expect(buckets.map((b) => [b.start, b.intent])).toEqual([
      ['2026-11-20T09:00:00Z', 0],
      ['2026-11-20T10:00:00Z', 1],
      ['2026-11-20T11:00:00Z', 1],
    ]);
    const refused = await get('/v1/stats/sentiment?brand=acme&intent=complain');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/intent/);
  });

  it('POST /v1/events publishes the event on its topic and answers 202 with its id; the api writes no table', async () => {
    const res = await fetch(`${url}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ brand: 'acme', kind: 'campaign', title: 'Winter sale', starts_at: '2026-11-20T08:00:00Z' }),
    });
    expect(res.status).toBe(202);
    const { items } = (await res.json()) as { items: { id: string }[] };
    expect(items[0]!.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await bus.whenIdle(5000)).toBe(true);
    expect(published.map((e) => e.title)).toEqual(['Winter sale']);
    expect((await get(`/v1/events/${items[0]!.id}`)).status).toBe(404);
  });

  it('answers 404 with a reason for an alert or event that does not exist', async () => {
    for (const path of ['/v1/alerts/no-such', '/v1/events/no-such']) {
      const { status, body } = await get(path);
      expect(status, path).toBe(404);
      expect(typeof body.error).toBe('string');
    }
  });
});
