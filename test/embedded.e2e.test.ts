import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mentionsEnrichedTopic, mentionsRawTopic, systemClock, type EnrichedMention } from '@earshot/shared';
import { replayFile } from '@earshot/ingest';
import { DEMO_BRANDS_ENV, runDemo, startRuntime, type Runtime } from '@earshot/cli';
import { freshMetrics, mention, metricValue, quietLogger, tempDir, testConfig } from './helpers.js';

/** The whole pipeline in one process, as `npm start` runs it: in-process bus, chDB, HTTP. */
describe('embedded mode end to end', () => {
  const dir = tempDir();
  const metrics = freshMetrics();
  const config = testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_BRANDS: DEMO_BRANDS_ENV });
  let rt: Runtime;
  const post = (body: string | Buffer, contentType = 'application/json') =>
    fetch(`${rt.url}/v1/mentions`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const getJson = async (path: string) => {
    const res = await fetch(`${rt.url}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };
  const count = async (sql: string, params: Record<string, unknown> = {}) => {
    const rows = await (await rt.deps.store!.client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<{ n: string }>();
    return Number(rows[0]?.n ?? 0);
  };

  beforeAll(async () => {
    rt = await startRuntime(config, { services: ['ingest', 'classifier', 'writer', 'api'], http: true, metrics, logger: quietLogger() });
  });
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('accepts mentions over HTTP, matches brands, and serves them enriched', async () => {
    const batch = [
      mention({ source: 'webhook-ok', brands: undefined, text: 'The new acme plan is fantastic, love it' }),
      mention({ source: 'webhook-ok', brands: undefined, text: '@AcmeMobile my internet is down again, awful' }),
      mention({ source: 'webhook-ok', brands: undefined, text: 'globex coffee this morning' }),
    ];
    const res = await post(JSON.stringify(batch));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [], rejected_total: 0 });
    await rt.drain();
    const { status, body } = await getJson('/v1/mentions?source=webhook-ok&brand=acme');
    expect(status).toBe(200);
    expect(body.items.map((m: any) => m.id).sort()).toEqual([batch[0]!.id, batch[1]!.id].sort());
    const byId = Object.fromEntries(body.items.map((m: any) => [m.id, m]));
    expect(byId[batch[0]!.id].sentiment.label).toBe('positive');
    expect(byId[batch[1]!.id].sentiment.label).toBe('negative');
    for (const item of body.items) {
      expect(item).toMatchObject({ brands: ['acme'], model: { name: 'earshot-linear-fast' }, lang: 'en', journey_stage: expect.any(String) });
      expect(item.sentiment.score).toBeGreaterThanOrEqual(-1);
      expect(item.sentiment.probs.negative + item.sentiment.probs.neutral + item.sentiment.probs.positive).toBeCloseTo(1, 3);
    }
  });

  it('rejects each bad item with its reason, counts it, and stores the good ones beside it', async () => {
    const good1 = mention({ source: 'badinput' });
    const good2 = mention({ source: 'badinput' });
    const lines = [
      Buffer.from(JSON.stringify(good1)),
      Buffer.from('{"id": "broken", "source": '),
      Buffer.from(JSON.stringify({ id: 'no-author', source: 'badinput', text: 'acme', created_at: '2026-11-20T08:00:00Z' })),
      Buffer.from(JSON.stringify({ ...mention({ source: 'badinput' }), id: 'wrong-type', created_at: 1763625600 })),
      Buffer.concat([Buffer.from('{"id":"bad-utf8","source":"badinput","text":"acme '), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
      Buffer.from(JSON.stringify({ ...mention({ source: 'badinput' }), id: 'huge', text: 'acme '.repeat(20_000) })),
      Buffer.from(JSON.stringify(good2)),
    ];
    const res = await post(Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')])), 'application/x-ndjson');
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; id?: string; reason: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected).toEqual([
      { index: 1, reason: expect.stringMatching(/not valid JSON/) },
      { index: 2, id: 'no-author', reason: expect.stringMatching(/^author: /) },
      { index: 3, id: 'wrong-type', reason: expect.stringMatching(/^created_at: /) },
      { index: 4, reason: 'line is not valid UTF-8' },
      { index: 5, id: 'huge', reason: expect.stringMatching(/text is longer than 20000 characters/) },
    ]);

    const tooBig = await post(JSON.stringify([mention({ text: 'acme '.repeat(1_100_000) })]));
    expect(tooBig.status).toBe(413);
    expect(((await tooBig.json()) as { error: string }).error).toMatch(/larger than 1048576 bytes/);
    const malformed = await post('[{"id":"x",');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: string }).error).toMatch(/not valid JSON/);

    await rt.drain();
    const { body: stored } = await getJson('/v1/mentions?source=badinput');
    expect(stored.items.map((m: any) => m.id).sort()).toEqual([good1.id, good2.id].sort());
    const rejected = (reason: string) => metricValue(metrics.registry, 'earshot_ingest_rejected_total', { via: 'http', reason });
    expect(await rejected('invalid_json')).toBe(2);
    expect(await rejected('schema')).toBe(3);
    expect(await rejected('invalid_utf8')).toBe(1);
    expect(await rejected('too_large')).toBe(1);
    const exposed = await (await fetch(`${rt.url}/metrics`)).text();
    expect(exposed).toMatch(/earshot_ingest_rejected_total\{via="http",reason="schema"\} 3/);
  });

  it('sends undecodable messages on a topic to the dead-letter topic and keeps consuming', async () => {
    const good = { ...mention({ source: 'dlq' }), brands: ['acme'], ingested_at: new Date().toISOString() };
    const before = await metricValue(metrics.registry, 'earshot_deadletter_total', { stage: 'classifier.decode' });
    await rt.deps.bus.publish(mentionsRawTopic.name, [
      { key: 'dlq:garbage', value: Buffer.from([0x00, 0xff, 0x13]) },
      { key: 'dlq:no-text', value: JSON.stringify({ ...good, id: 'no-text', text: undefined }) },
      { key: `dlq:${good.id}`, value: JSON.stringify(good) },
    ]);
    await rt.drain();
    expect(await count('SELECT count() AS n FROM mentions WHERE source = {s:String}', { s: 'dlq' })).toBe(1);
    expect(await metricValue(metrics.registry, 'earshot_deadletter_total', { stage: 'classifier.decode' })).toBe(before + 2);
    const letters = await (
      await rt.deps.store!.client.query({ query: "SELECT key, reason FROM dead_letters WHERE key LIKE 'dlq:%' ORDER BY key", format: 'JSONEachRow' })
    ).json<{ key: string; reason: string }>();
    expect(letters).toEqual([
      { key: 'dlq:garbage', reason: 'payload is not valid UTF-8' },
      { key: 'dlq:no-text', reason: expect.stringMatching(/^text: /) },
    ]);
    expect((await getJson('/healthz')).status).toBe(200);
  });

  it('never counts a redelivered or replayed mention twice, in rows or in the rollup', async () => {
    const ms = Array.from({ length: 20 }, () => mention({ source: 'replayed', brands: ['globex'] }));
    const file = join(dir.path, 'mentions.jsonl');
    writeFileSync(file, `${ms.map((m) => JSON.stringify(m)).join('\n')}\nnot json at all\n`);
    const { ingestor, deadLetters } = rt.ingest!;
    const first = await replayFile(file, { ingestor, deadLetters });
    expect(first).toMatchObject({ lines: 21, accepted: 20, rejected: 1 });
    await rt.drain();
    await replayFile(file, { ingestor, deadLetters });
    // A redelivery straight onto the enriched topic, as after a writer crash before its commit.
    const enriched = (await getJson('/v1/mentions?source=replayed&limit=1000')).body.items as EnrichedMention[];
    expect(enriched).toHaveLength(20);
    await rt.deps.bus.publish(
      mentionsEnrichedTopic.name,
      enriched.map((m) => ({ key: mentionsEnrichedTopic.key(m), value: JSON.stringify({ ...m, enriched_at: m.ingested_at }) })),
    );
    await rt.drain();
    expect(await count('SELECT count() AS n FROM mentions WHERE source = {s:String}', { s: 'replayed' })).toBe(20);
    expect(await count("SELECT sum(mentions) AS n FROM mention_stats_1m WHERE source = 'replayed'")).toBe(20);
    expect(await metricValue(metrics.registry, 'earshot_store_rows_duplicate_total', { table: 'mentions' })).toBeGreaterThanOrEqual(40);
    const letters = await count("SELECT count() AS n FROM dead_letters WHERE stage = 'ingest.replay' AND reason LIKE 'record 21:%'");
    expect(letters).toBe(2);
  });

  it('backfills from CSV: quoted fields, lists and counts read; a bad row dead-lettered with its line number', async () => {
    const file = join(dir.path, 'backfill.csv');
    writeFileSync(
      file,
      [
        'id,source,text,created_at,author_id,author_handle,brands,likes,rating,title',
        'csv-1,csvfile,"Acme\'s support, finally ""fixed"" it",2026-11-20T08:00:00Z,a1,ann,acme;globex,12,4,Good now',
        'csv-2,csvfile,"line one',
        'line two",2026-11-20T08:01:00Z,a2,,acme,,,',
        'csv-3,csvfile,no date,,a3,,acme,,,',
      ].join('\n'),
    );
    const { ingestor, deadLetters } = rt.ingest!;
    expect(await replayFile(file, { ingestor, deadLetters })).toMatchObject({ lines: 3, accepted: 2, rejected: 1 });
    await rt.drain();
    const stored = (await getJson('/v1/mentions?source=csvfile&limit=10')).body.items as EnrichedMention[];
    expect(stored.map((m) => [m.id, m.text, m.brands, m.engagement?.likes, m.rating, m.author.handle]).sort()).toEqual([
      ['csv-1', 'Acme\'s support, finally "fixed" it', ['acme', 'globex'], 12, 4, 'ann'],
      ['csv-2', 'line one\nline two', ['acme'], 0, undefined, 'a2'],
    ]);
    expect(await count("SELECT count() AS n FROM dead_letters WHERE stage = 'ingest.replay' AND reason LIKE 'line 5: created_at%'")).toBe(1);
  });

  it('replays the demo scenario: the incident and the campaign stand out in the stats', async () => {
    const scenario = await runDemo(rt, config, { clock: systemClock, seconds: 0 });
    expect(scenario.mentions.length).toBeGreaterThan(3000);
    const from = scenario.start.toISOString();
    const to = scenario.end.toISOString();
    const stats = (await getJson(`/v1/stats/sentiment?brand=globex&interval=1h&from=${from}&to=${to}`)).body;
    const incidentHours = stats.buckets.filter((b: any) => b.start >= scenario.incident.start.toISOString() && b.start < scenario.incident.end.toISOString());
    const otherHours = stats.buckets.filter((b: any) => !incidentHours.includes(b));
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    expect(incidentHours).toHaveLength(3);
    expect(median(incidentHours.map((b: any) => b.negative))).toBeGreaterThan(5 * Math.max(1, median(otherHours.map((b: any) => b.negative))));
    expect(Math.max(...incidentHours.map((b: any) => b.mean_score))).toBeLessThan(median(otherHours.map((b: any) => b.mean_score)));
    const acme = (
      await getJson(`/v1/stats/sentiment?brand=acme&interval=12h&from=${scenario.campaign.start.toISOString()}&to=${scenario.campaign.end.toISOString()}`)
    ).body;
    expect(acme.buckets[0].net_sentiment).toBeGreaterThan(0.3);

    const page = (await getJson(`/v1/mentions?limit=1000&from=${from}&to=${to}`)).body;
    expect(page.count).toBe(1000);
    const viral = (
      await getJson(`/v1/mentions?brand=globex&sentiment=negative&limit=1000&from=${new Date(scenario.incident.start.getTime() - 3_600_000).toISOString()}`)
    ).body.items.find((m: any) => m.id === scenario.viral.id);
    expect(viral).toMatchObject({ source: 'twitter', author: { followers: 182_000 }, sentiment: { label: 'negative' } });
    expect(await count('SELECT count() AS n FROM campaign_events FINAL')).toBe(2);

    // Care: Acme's team answers most complaints and questions within minutes, Initech's few and late.
    const care = async (brand: string) => (await getJson(`/v1/stats/care?brand=${brand}&from=${from}&to=${to}`)).body.total;
    const [acmeCare, initechCare] = [await care('acme'), await care('initech')];
    expect(acmeCare.conversations).toBeGreaterThan(100);
    expect(acmeCare.response_rate).toBeGreaterThan(2 * initechCare.response_rate);
    expect(acmeCare.first_reply_seconds.p50).toBeLessThan(initechCare.first_reply_seconds.p50 / 5);
    expect(acmeCare.outcome.conversations).toBeGreaterThan(20);
    expect(acmeCare.outcome.change).toBeGreaterThan(0);
    const queue = (await getJson('/v1/care/queue?brand=initech&hours=2000&limit=5')).body.items;
    expect(queue).toHaveLength(5);
    // Brand replies are the brand's voice, not customer sentiment: the rollups leave them out.
    const replies = await count('SELECT count() AS n FROM mentions WHERE from_brand = 1');
    expect(replies).toBeGreaterThan(100);
    // ... and carry no customer intent: a brand's "sorry, we're on it" is no complaint.
    expect(await count('SELECT count() AS n FROM mentions WHERE from_brand = 1 AND notEmpty(intents)')).toBe(0);
    const range = { from: from.replace('T', ' ').replace('Z', ''), to: to.replace('T', ' ').replace('Z', '') };
    expect(await count('SELECT sum(mentions) AS n FROM mention_stats_1m WHERE minute >= {from:DateTime64(3)} AND minute < {to:DateTime64(3)}', range)).toBe(
      await count('SELECT count() AS n FROM mentions WHERE from_brand = 0 AND created_at >= {from:DateTime64(3)} AND created_at < {to:DateTime64(3)}', range),
    );
  });

  it('answers bad queries with 400 and the reason', async () => {
    const res = await getJson('/v1/mentions?limit=100000');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/limit/);
    expect((await getJson('/v1/stats/sentiment')).body.error).toMatch(/brand/);
    expect((await getJson('/openapi.json')).body.paths['/v1/mentions']).toBeDefined();
  });
});
