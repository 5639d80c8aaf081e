import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mentionsRawTopic, type Mention } from '@earshot/shared';
import { startRuntime, type Runtime } from '@earshot/cli';
import { quietLogger, tempDir, testConfig } from './helpers.js';
import { startFakeApi, type FakeApi } from './connectors/fake-api.js';

// Three days ago on the hour: the queue, care stats and alerts read real time, so a fixed
// date ages out of their windows (this test failed once it was 10 days old).
const T = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 86_400_000;
const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString();
const person = (id: string, handle: string, followers = 100) => ({ id, handle, followers });

/**
 * Customer care end to end (embedded): the brand's accounts are recognised, replies join
 * their conversations on several sources, /v1/stats/care and the queue read them, the
 * helpdesk gets each unanswered item once, a care alert fires, and an erased author
 * leaves nothing behind.
 */
describe('customer care', () => {
  const dir = tempDir();
  let rt: Runtime;
  let helpdesk: FakeApi;
  const jess = person('tw-jess', 'jess_k', 400);
  const post = async (mentions: Mention[]) => {
    const res = await fetch(`${rt.url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(mentions) });
    expect(await res.json()).toEqual({ accepted: mentions.length, duplicates: 0, rejected: [], rejected_total: 0 });
    await rt.drain();
  };
  const get = async (path: string) => {
    const res = await fetch(`${rt.url}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };
  const query = async (sql: string, params: Record<string, unknown> = {}) =>
    (await rt.deps.store!.client.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<Record<string, any>>();

  beforeAll(async () => {
    helpdesk = await startFakeApi(() => ({ status: 201, json: { ok: true } }));
    const brands = join(dir.path, 'brands.yaml');
    writeFileSync(
      brands,
      `brands:
  - id: acme
    query: acme OR @acme
    accounts:
      twitter: ["@AcmeHelp"]
      reddit: [acme_support]
      mastodon: [acme@social.example]
      trustpilot: [acme]
`,
    );
    rt = await startRuntime(
      testConfig({
        EARSHOT_DATA_DIR: join(dir.path, 'data'),
        EARSHOT_BRANDS_FILE: brands,
        EARSHOT_CARE_WEBHOOK_URL: `${helpdesk.url}/tickets`,
        EARSHOT_CARE_MAX_UNANSWERED: '1',
        EARSHOT_CARE_MAX_REPLY_MINUTES: '30',
        EARSHOT_CARE_MIN_CONVERSATIONS: '2',
        EARSHOT_DETECT_CRON: '0 0 1 1 *',
      }),
      { services: ['ingest', 'classifier', 'writer', 'detector', 'api'], http: true, logger: quietLogger() },
    );
    // Twitter: a complaint, the brand's answer in the same conversation, the customer happier after it.
    await post([
      {
        id: 'tw1',
        source: 'twitter',
        text: '@acme my internet has been down all day zqxjk, this is terrible, fix it now',
        created_at: at(0),
        author: jess,
        metadata: { thread: 'tw1' },
      },
      {
        id: 'tw2',
        source: 'twitter',
        text: '@jess_k sorry about that, we have reset your line. DM us if it happens again',
        created_at: at(12),
        author: person('tw-acme', 'AcmeHelp', 90_000),
        in_reply_to: 'tw1',
        metadata: { thread: 'tw1' },
      },
      {
        id: 'tw3',
        source: 'twitter',
        text: '@AcmeHelp thank you, it works now, great support zqxjk',
        created_at: at(40),
        author: jess,
        in_reply_to: 'tw2',
        metadata: { thread: 'tw1' },
      },
      // Unanswered: a big account's complaint and a small account's older question.
      {
        id: 'tw4',
        source: 'twitter',
        text: '@acme charged me twice this month and nobody answers, terrible service',
        created_at: at(30),
        author: person('tw-big', 'bigvoice', 250_000),
      },
      { id: 'tw5', source: 'twitter', text: 'does acme support esim on the pixel?', created_at: at(-90), author: person('tw-small', 'smallq', 12) },
      { id: 'tw6', source: 'twitter', text: 'love the new acme plan', created_at: at(5), author: person('tw-fan', 'fan', 50) },
    ]);
    // Reddit: a question answered an hour later by the brand's account. Each post is its own batch.
    const reddit = { source: 'reddit', metadata: { thread: 't3_q1' } };
    await post([{ ...reddit, id: 't3_q1', text: 'How do I cancel my acme contract?', created_at: at(2), author: person('t2_u', 'redditor') }]);
    await post([
      {
        ...reddit,
        id: 't1_a1',
        text: 'You can do it in the app under Account > Plan.',
        created_at: at(62),
        author: person('t2_acme', 'acme_support'),
        in_reply_to: 't3_q1',
      },
    ]);
    // The customer's thanks names neither the brand nor its account: it joins by its thread.
    await post([
      { ...reddit, id: 't1_b2', text: 'thanks, that did it, great help', created_at: at(70), author: person('t2_u', 'redditor'), in_reply_to: 't1_a1' },
    ]);
    // Mastodon: no thread ids, only a chain of in_reply_to, stored in separate batches.
    const ann = person('m.example/9', 'ann@m.example');
    await post([{ id: 'm.example/1', source: 'mastodon', text: 'acme broke my router again, worst provider', created_at: at(3), author: ann }]);
    await post([
      {
        id: 'social.example/2',
        source: 'mastodon',
        text: 'So sorry Ann, a technician is on the way',
        created_at: at(20),
        author: person('social.example/1', 'acme@social.example'),
        in_reply_to: 'm.example/1',
      },
    ]);
    await post([
      {
        id: 'm.example/3',
        source: 'mastodon',
        text: '@acme@social.example technician came, all good now, thanks',
        created_at: at(90),
        author: ann,
        in_reply_to: 'social.example/2',
      },
    ]);
    // Trustpilot: the same customer as on Twitter, a review and the company's reply (as the connector makes it).
    await post([
      {
        id: 'tp1',
        source: 'trustpilot',
        text: 'Acme internet keeps dropping zqxjk, very disappointed',
        title: 'Unreliable',
        rating: 1,
        created_at: at(15),
        author: person('tp-jess', 'Jess K'),
      },
      {
        id: 'tp1:reply',
        source: 'trustpilot',
        text: 'We are sorry to read this and have contacted you.',
        created_at: at(200),
        author: person('acme', 'acme'),
        in_reply_to: 'tp1',
        from_brand: true,
      },
    ]);
  }, 300_000);
  afterAll(async () => {
    await rt?.stop();
    await helpdesk?.close();
    dir.remove();
  });

  it("knows the brand's accounts and keeps replies in their conversation, across batches", async () => {
    const ms = (await get('/v1/mentions?limit=100')).body.items as any[];
    const byId = new Map(ms.map((m) => [m.id, m]));
    expect(byId.get('tw2')).toMatchObject({ from_brand: true, brands: ['acme'], conversation_id: 'tw1' });
    expect(byId.get('t1_a1')).toMatchObject({ from_brand: true, brands: ['acme'] });
    expect(byId.get('tw1').from_brand).toBeUndefined();
    expect(['m.example/1', 'social.example/2', 'm.example/3'].map((id) => byId.get(id).conversation_id)).toEqual(['m.example/1', 'm.example/1', 'm.example/1']);
    expect(byId.get('tp1:reply').conversation_id).toBe('tp1');
    expect(byId.get('t1_b2')).toMatchObject({ brands: ['acme'], conversation_id: 't3_q1' });
  });

  it('GET /v1/stats/care: response rate, time to first reply, replies and outcome, per source', async () => {
    const { status, body } = await get(`/v1/stats/care?brand=acme&from=${at(-180)}&to=${at(300)}`);
    expect(status).toBe(200);
    const bySource = Object.fromEntries(body.by_source.map((s: any) => [s.source, s]));
    expect(bySource.twitter).toMatchObject({ conversations: 3, answered: 1, first_reply_seconds: { p50: 720, p90: 720 }, replies_per_conversation: 1 });
    expect(bySource.reddit).toMatchObject({ conversations: 1, answered: 1, first_reply_seconds: { p50: 3600 } });
    expect(bySource.mastodon).toMatchObject({ conversations: 1, answered: 1, first_reply_seconds: { p50: 1020 } });
    expect(bySource.trustpilot).toMatchObject({ conversations: 1, answered: 1, first_reply_seconds: { p50: 11_100 } });
    expect(body.total).toMatchObject({ conversations: 6, answered: 4, response_rate: 0.6667 });
    // The three customers who wrote again after the brand's answer were happier for it.
    expect(body.total.outcome.conversations).toBe(3);
    expect(body.total.outcome.change).toBeGreaterThan(0.3);
    expect(body.total.outcome.improved_share).toBe(1);
    expect((await get('/v1/stats/care')).status).toBe(400);
  });

  it('documents the care endpoints in /openapi.json', async () => {
    const paths = Object.keys((await get('/openapi.json')).body.paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/v1/stats/care', '/v1/care/queue', '/v1/authors/{source}/{id}', '/v1/authors/{source}/{id}/links', '/v1/hooks/{name}']),
    );
  });

  it('GET /v1/care/queue: unanswered complaints and questions, weighted by waiting and reach, with links', async () => {
    const { body } = await get('/v1/care/queue?brand=acme&hours=240');
    // Both have waited days; the complaint's author reaches 20,000 times more people.
    expect(body.items.map((i: any) => [i.mention.id, i.intent, i.author.handle])).toEqual([
      ['tw4', 'complaint', 'bigvoice'],
      ['tw5', 'question', 'smallq'],
    ]);
    expect((await get('/v1/care/queue?brand=acme&hours=0.5')).body.items).toEqual([]);
    const byReach = (await get('/v1/care/queue?brand=acme&hours=240&sort=reach')).body.items;
    expect(byReach.map((i: any) => i.mention.id)).toEqual(['tw4', 'tw5']);
    const oldest = (await get('/v1/care/queue?brand=acme&hours=240&sort=oldest')).body.items;
    expect(oldest.map((i: any) => i.mention.id)).toEqual(['tw5', 'tw4']);
    expect(oldest[1]).toMatchObject({
      source: 'twitter',
      conversation_id: 'tw4',
      author: { followers: 250_000 },
      links: { author: '/v1/authors/twitter/tw-big' },
    });
    expect((await get(oldest[1].links.author)).body.open_issues.map((i: any) => i.mention.id)).toEqual(['tw4']);
  });

  it('GET /v1/care/queue pages (limit, offset) and reads a range (from, to); the stats say a helpdesk is there (issue #40)', async () => {
    expect((await get('/v1/care/queue?brand=acme&hours=240&limit=1&offset=1')).body.items.map((i: any) => i.mention.id)).toEqual(['tw5']);
    expect((await get('/v1/care/queue?brand=acme&hours=240&limit=1&offset=2')).body.items).toEqual([]);
    // tw5 was asked at -90 min, tw4 at +30: a range before +30 holds only tw5.
    const range = (from: number, to: number) => `from=${encodeURIComponent(at(from))}&to=${encodeURIComponent(at(to))}`;
    expect((await get(`/v1/care/queue?brand=acme&${range(-120, 0)}`)).body.items.map((i: any) => i.mention.id)).toEqual(['tw5']);
    expect((await get(`/v1/care/queue?brand=acme&${range(0, 60)}`)).body.items.map((i: any) => i.mention.id)).toEqual(['tw4']);
    expect((await get('/v1/care/queue?brand=acme&offset=-1')).status).toBe(400);
    expect((await get('/v1/stats/care?brand=acme')).body.helpdesk).toBe(true);
  });

  it('hands each unanswered item to the helpdesk exactly once, retrying failures', async () => {
    helpdesk.failNext({ status: 503, text: 'busy' }, 2);
    const now = Date.parse(at(120));
    await rt.detector!.runOnce(now);
    await rt.detector!.runOnce(now + 60_000);
    const delivered = () => helpdesk.requests.filter((_, i) => i >= 2).map((r) => JSON.parse(r.body));
    expect(
      delivered()
        .map((d) => d.mention.id)
        .sort(),
    ).toEqual(['tw4', 'tw5']);
    expect(helpdesk.requests.map((r) => r.headers['idempotency-key'])).toContain('earshot-care:acme:twitter:tw4');
    expect(delivered()[0]).toMatchObject({ type: 'earshot.care_item', brand: 'acme', author: { handle: expect.any(String) } });
    await post([
      { id: 'tw7', source: 'twitter', text: '@acme why is my bill so high? nobody replies', created_at: at(118), author: person('tw-new', 'newcomer') },
    ]);
    await rt.detector!.runOnce(now + 120_000);
    expect(
      delivered()
        .map((d) => d.mention.id)
        .sort(),
    ).toEqual(['tw4', 'tw5', 'tw7']);
  });

  it('raises a care alert when unanswered complaints pass the bound', async () => {
    const alerts = (await get('/v1/alerts?kind=care')).body.items as any[];
    expect(alerts.map((a) => [a.kind, a.brand, a.status])).toContainEqual(['care', 'acme', 'open']);
    expect(alerts.find((a) => a.summary.includes('no brand reply'))).toBeDefined();
  });

  it('GET /v1/authors: one customer across linked identities, with trajectory and open issues', async () => {
    expect((await get('/v1/authors/twitter/nobody')).status).toBe(404);
    const single = (await get('/v1/authors/twitter/tw-jess')).body;
    expect(single.mentions.map((m: any) => m.id)).toEqual(['tw3', 'tw1']);
    const res = await fetch(`${rt.url}/v1/authors/twitter/tw-jess/links`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ links: [{ source: 'trustpilot', id: 'tp-jess' }] }),
    });
    expect(res.status).toBe(200);
    const view = (await get('/v1/authors/twitter/tw-jess')).body;
    expect(view.identities).toEqual([
      { source: 'twitter', id: 'tw-jess' },
      { source: 'trustpilot', id: 'tp-jess' },
    ]);
    expect(view.mentions.map((m: any) => m.id)).toEqual(['tw3', 'tp1', 'tw1']);
    expect(view.trajectory).toHaveLength(1);
    expect(view.trajectory[0]).toMatchObject({ mentions: 3, sources: expect.arrayContaining(['twitter', 'trustpilot']) });
    expect(view.open_issues).toEqual([]);
    expect((await get('/v1/authors/twitter/tw-big')).body.open_issues.map((i: any) => i.mention.id)).toEqual(['tw4']);
  });

  it('DELETE /v1/authors erases the author everywhere; nothing of theirs is left or comes back', async () => {
    const needles = ['tw-jess', 'jess_k', 'zqxjk'];
    const tables = (
      await query("SELECT name FROM system.tables WHERE database = currentDatabase() AND engine NOT LIKE '%View%' AND name != 'erased_authors'")
    ).map((t) => t.name as string);
    const leftovers = async () => {
      const found: string[] = [];
      for (const t of tables) {
        // A NULL cell would make the whole row's text NULL: each cell is read as '' then.
        const cols = (await query(`DESCRIBE TABLE ${t}`)).map((c) => `ifNull(toString(\`${c.name}\`), '')`);
        const [r] = await query(
          `SELECT count() AS n FROM ${t} WHERE multiSearchAnyCaseInsensitiveUTF8(concat(${cols.join(", '\\t', ")}), {needles:Array(String)})`,
          { needles },
        );
        if (Number(r!.n) > 0) found.push(t);
      }
      return found.sort();
    };
    expect(await leftovers()).toEqual(['author_links', 'care_messages', 'complaint_terms_1h', 'mentions']);
    // Other customers' complaint terms of the same hours are rebuilt, not lost.
    const others = async () =>
      query("SELECT term, sum(mentions) AS n FROM complaint_terms_1h WHERE term IN ('charged', 'twice', 'terrible') GROUP BY term ORDER BY term");
    const before = await others();
    expect(before.map((r) => r.term)).toEqual(['charged', 'terrible', 'twice']);
    const res = await fetch(`${rt.url}/v1/authors/twitter/tw-jess`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      erased: [
        { source: 'twitter', id: 'tw-jess' },
        { source: 'trustpilot', id: 'tp-jess' },
      ],
      removed: { mentions: 3, links: 1 },
    });
    // tw2 is the brand's reply: it names "@jess_k" in its text, and it is the brand's, so it
    // stays, in the mentions and in the copy care reads.
    expect(await leftovers()).toEqual(['care_messages', 'mentions']);
    expect((await query("SELECT id FROM care_messages WHERE multiSearchAnyCaseInsensitiveUTF8(text, ['jess_k', 'zqxjk'])")).map((r) => r.id)).toEqual(['tw2']);
    // "terrible" loses jess's use of it and keeps the others'.
    const after = Object.fromEntries((await others()).map((r) => [r.term, Number(r.n)]));
    const was = Object.fromEntries(before.map((r) => [r.term, Number(r.n)]));
    expect(after).toEqual({ charged: was.charged, twice: was.twice, terrible: was.terrible! - 1 });
    expect((await query("SELECT id FROM mentions WHERE multiSearchAnyCaseInsensitiveUTF8(text, ['jess_k', 'zqxjk'])")).map((r) => r.id)).toEqual(['tw2']);
    expect((await get('/v1/authors/twitter/tw-jess')).status).toBe(404);
    // A redelivery of their mention is not stored again.
    const again = { id: 'tw1', source: 'twitter', text: 'redelivered', created_at: at(0), author: jess, brands: ['acme'], ingested_at: at(1) };
    await rt.deps.bus.publish(mentionsRawTopic.name, [{ key: 'twitter:tw1', value: JSON.stringify(again) }]);
    await rt.drain();
    expect(await query("SELECT id FROM mentions WHERE author_id = 'tw-jess'")).toEqual([]);
    // The care stats lose their conversations too.
    const total = (await get(`/v1/stats/care?brand=acme&from=${at(-180)}&to=${at(300)}`)).body.total;
    expect(total).toMatchObject({ conversations: 5, answered: 2 });
  });

  it('erasure reaches helpdesk hand-offs and alert samples too', async () => {
    expect((await query('SELECT count() AS n FROM alerts WHERE sample_mentions LIKE \'%"tw4"%\''))[0]!.n).not.toBe('0');
    const res = await fetch(`${rt.url}/v1/authors/twitter/tw-big`, { method: 'DELETE' });
    expect(((await res.json()) as any).removed).toMatchObject({ mentions: 1, handoffs: 1 });
    expect(await query("SELECT * FROM care_handoffs WHERE author_id = 'tw-big'")).toEqual([]);
    expect(await query('SELECT id FROM alerts WHERE sample_mentions LIKE \'%"tw4"%\'')).toEqual([]);
    expect((await get('/v1/care/queue?brand=acme&hours=240')).body.items.map((i: any) => i.mention.id)).not.toContain('tw4');
  });
});
