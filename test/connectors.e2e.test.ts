import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { mentionsRawTopic, topicName, type Config, type RawMentionMessage } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { eventually, freshMetrics, metricValue, quietLogger, tempDir, testConfig } from './helpers.js';
import { startFakeApi, type FakeApi } from './connectors/fake-api.js';
import { POLL_CASES, type Held } from './connectors/poll-sources.js';

/**
 * `earshot run ingest` on Kafka with a brands file naming several sources: it polls the
 * fakes on its cron schedules, takes pushes on an authenticated hook, and after a stop
 * and a restart it resumes from its checkpoints with no gap and no repeat on the topic.
 */
describe('ingest with connectors, on Kafka, across a restart', () => {
  const dir = tempDir();
  const prefix = `conn${Date.now()}-${process.pid}.`;
  const kinds = ['hackernews', 'reddit', 'rss'] as const;
  const cases = Object.fromEntries(kinds.map((k) => [k, POLL_CASES.find((c) => c.type === k)!]));
  const held: Record<string, Held[]> = { hackernews: [], reddit: [], rss: [] };
  const apis: Record<string, FakeApi> = {};
  let n = 0;
  const add = (kind: (typeof kinds)[number], count: number) => {
    for (let i = 0; i < count; i++) {
      // Newest first, a little in the past, as a search index shows them.
      const t = Date.now() - 60_000 - i * 1000;
      held[kind]!.push({ n: n, t, raw: cases[kind]!.item(n++, t) });
    }
  };
  const expected = () => kinds.flatMap((k) => held[k]!.map((h) => `${cases[k]!.type}:${cases[k]!.id(h.n, h.t)}`));
  const landed: RawMentionMessage[] = [];
  let consumer: Consumer;
  let config: Config;
  let rt: Runtime | undefined;
  const secrets = { EARSHOT_REDDIT_CLIENT_ID: 'id', EARSHOT_REDDIT_CLIENT_SECRET: 'secret', EARSHOT_HOOK_HELPDESK_SECRET: 'hook-secret' };

  beforeAll(async () => {
    Object.assign(process.env, secrets);
    for (const k of kinds) apis[k] = await startFakeApi((req) => cases[k]!.route(req, held[k]!, Date.now()));
    const brandsFile = join(dir.path, 'brands.yaml');
    writeFileSync(
      brandsFile,
      `brands:
  - id: acme
    query: acme
    accounts: { twitter: [acmehelp] }
    sources:
      - { type: hackernews, query: acme, base_url: "${apis.hackernews!.url}", schedule: "*/1 * * * * *" }
      - { type: reddit, query: acme, user_agent: "server:com.example.earshot:1.0 (by /u/earshot_test)", base_url: "${apis.reddit!.url}", auth_url: "${apis.reddit!.url}", schedule: "*/1 * * * * *" }
      - { type: rss, url: "${apis.rss!.url}/feed.xml", schedule: "*/1 * * * * *" }
      - type: webhook
        name: helpdesk
        secret_env: EARSHOT_HOOK_HELPDESK_SECRET
        items_path: tickets
        fields: { id: ticket_id, text: body, created_at: opened, author.id: requester.id, author.handle: requester.email }
`,
    );
    config = testConfig({
      EARSHOT_DATA_DIR: join(dir.path, 'data'),
      EARSHOT_KAFKA_BROKERS: inject('kafkaBrokers'),
      EARSHOT_TOPIC_PREFIX: prefix,
      EARSHOT_BRANDS_FILE: brandsFile,
      EARSHOT_CONNECTOR_RETRY_MS: '10',
      EARSHOT_CONNECTOR_BACKOFF_MS: '200',
      EARSHOT_CONNECTOR_BACKOFF_MAX_MS: '1000',
    });
    const kafka = new Kafka({ clientId: 'conn-e2e', brokers: [inject('kafkaBrokers')], logLevel: logLevel.NOTHING });
    consumer = kafka.consumer({ groupId: `${prefix}watch` });
    await consumer.connect();
    add('hackernews', 120);
    add('reddit', 30);
    add('rss', 10);
  });
  afterAll(async () => {
    await rt?.stop();
    await consumer?.disconnect();
    for (const a of Object.values(apis)) await a.close();
    for (const k of Object.keys(secrets)) delete process.env[k];
    dir.remove();
  });

  const keys = () => landed.map((m) => `${m.source}:${m.id}`);

  it('pulls every source on its schedule into the raw topic', async () => {
    rt = await startRuntime(config, { services: ['ingest'], http: true, logger: quietLogger(), metrics: freshMetrics() });
    await consumer.subscribe({ topic: topicName(config, mentionsRawTopic.name), fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void landed.push(JSON.parse(message.value!.toString())) });
    await eventually(async () => landed.length >= 160, { timeoutMs: 60_000 });
    expect(keys().sort()).toEqual(expected().sort());
    expect(landed.every((m) => m.brands.includes('acme'))).toBe(true);
  });

  it('shows each connector in /healthz and in the metrics', async () => {
    const states = async () => {
      const health = (await (await fetch(`${rt!.url}/healthz`)).json()) as {
        status: string;
        checks: { name: string; detail: { connector: string; state: string; last_success_at: string | null }[] }[];
      };
      return health.checks.find((c) => c.name === 'ingest.connectors')!.detail.map((c) => [c.connector, c.state]);
    };
    // A poll's mentions reach the topic just before its checkpoint is saved and its state set.
    await eventually(async () => (await states()).every(([, state]) => state === 'ok'), { timeoutMs: 10_000 });
    expect(await states()).toEqual([
      ['acme.hackernews', 'ok'],
      ['acme.reddit', 'ok'],
      ['acme.rss', 'ok'],
    ]);
    const metrics = await (await fetch(`${rt!.url}/metrics`)).text();
    expect(metrics).toMatch(/earshot_connector_up\{connector="acme.reddit",type="reddit"\} 1/);
    expect(metrics).toMatch(/earshot_connector_mentions_total\{connector="acme.hackernews",type="hackernews"\} 120/);
    // The schedule is every second: more than one poll has run by now.
    const runs = () => metricValue(rt!.deps.metrics.registry, 'earshot_connector_runs_total', { connector: 'acme.rss', outcome: 'ok' });
    expect(await eventually(async () => (await runs()) > 1, { timeoutMs: 10_000 })).toBe(true);
  });

  it('keeps polling the others while one source fails', async () => {
    apis.reddit!.failNext({ status: 500, text: 'oops' }, 10_000);
    add('hackernews', 2);
    const reddit = async () => {
      const health = (await (await fetch(`${rt!.url}/healthz`)).json()) as {
        checks: { name: string; detail: { connector: string; state: string; last_error: string | null }[] }[];
      };
      return health.checks.find((c) => c.name === 'ingest.connectors')!.detail.find((c) => c.connector === 'acme.reddit')!;
    };
    try {
      expect(await eventually(async () => (await reddit()).state === 'failing', { timeoutMs: 20_000 })).toBe(true);
      expect(await reddit()).toMatchObject({ state: 'failing', last_error: expect.stringMatching(/answered 500/) });
      await eventually(async () => landed.length >= 162);
      expect(keys().sort()).toEqual(expected().sort());
    } finally {
      apis.reddit!.clearFaults();
    }
  });

  it('takes pushes on the authenticated hook, mapped into mentions', async () => {
    const body = JSON.stringify({
      tickets: [{ ticket_id: 9001, body: 'acme charged me twice', opened: 1763640000, requester: { id: 77, email: 'pat@example.com' } }],
    });
    const post = (headers: Record<string, string>) =>
      fetch(`${rt!.url}/v1/hooks/helpdesk`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: 'Bearer wrong' })).status).toBe(401);
    // Signed with a timestamp, so a captured delivery cannot be replayed later (issue #18.9).
    const sign = (ts: number) => ({
      'x-earshot-timestamp': String(ts),
      'x-earshot-signature': `sha256=${createHmac('sha256', 'hook-secret').update(`${ts}.${body}`).digest('hex')}`,
    });
    const now = Math.floor(Date.now() / 1000);
    const replayed = await post(sign(now - 600));
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as { error: string }).error).toMatch(/more than 5 minutes from this server's clock/);
    expect((await post({ 'x-earshot-signature': `sha256=${createHmac('sha256', 'hook-secret').update(body).digest('hex')}` })).status).toBe(401);
    const signed = await post(sign(now));
    expect(signed.status).toBe(202);
    expect(await signed.json()).toEqual({ accepted: 1, duplicates: 0, rejected: [], rejected_total: 0 });
    expect((await fetch(`${rt!.url}/v1/hooks/nope`, { method: 'POST', body })).status).toBe(404);
    const bad = await fetch(`${rt!.url}/v1/hooks/helpdesk`, {
      method: 'POST',
      headers: { authorization: 'Bearer hook-secret' },
      body: JSON.stringify({ tickets: [{ ticket_id: 1, body: 'acme', opened: 'soon' }] }),
    });
    expect(await bad.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, reason: expect.stringMatching(/created_at|author/) }] });
    // Bodies it cannot take get the same answers as POST /v1/mentions.
    const huge = await fetch(`${rt!.url}/v1/hooks/helpdesk`, {
      method: 'POST',
      headers: { authorization: 'Bearer hook-secret' },
      body: 'x'.repeat(2 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toMatch(/EARSHOT_MAX_BODY_BYTES/);
    const garbled = await fetch(`${rt!.url}/v1/hooks/helpdesk`, {
      method: 'POST',
      headers: { authorization: 'Bearer hook-secret', 'content-type': 'application/json' },
      body: '',
    });
    expect(garbled.status).toBe(400);
    expect(await metricValue(rt!.deps.metrics.registry, 'earshot_ingest_rejected_total', { via: 'webhook', reason: 'too_large' })).toBe(1);
    const hooked = await eventually(async () => landed.find((m) => m.source === 'helpdesk'));
    expect(hooked).toMatchObject({
      id: '9001',
      text: 'acme charged me twice',
      created_at: '2025-11-20T12:00:00.000Z',
      author: { id: '77', handle: 'pat@example.com' },
      brands: ['acme'],
    });
  });

  it('after a restart, resumes from the checkpoints: what came meanwhile lands once, nothing repeats', async () => {
    await rt!.stop();
    rt = undefined;
    add('hackernews', 3);
    add('reddit', 4);
    add('rss', 2);
    rt = await startRuntime(config, { services: ['ingest'], http: true, logger: quietLogger(), metrics: freshMetrics() });
    const want = expected().length + 1; // + the hook's mention
    await eventually(async () => landed.length >= want, { timeoutMs: 60_000 });
    await new Promise((r) => setTimeout(r, 2500)); // a few more scheduled polls: still nothing new
    expect(
      keys()
        .filter((k) => !k.startsWith('helpdesk:'))
        .sort(),
    ).toEqual(expected().sort());
    expect(new Set(keys()).size).toBe(landed.length);
  });
});
