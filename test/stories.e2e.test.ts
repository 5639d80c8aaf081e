import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@earshot/cli';
import { mention, overHttp, postAndDrain, tempDir, testConfig } from './helpers.js';

/** A checkout outage beside a steady delivery complaint: two issues, one brand. */
const PAYMENT = [
  'payment declined at checkout, tried three cards',
  'checkout keeps saying payment declined',
  'cannot pay, my card is declined at checkout every time',
  'payment failed at checkout again',
  'why is my payment declined? the card works everywhere else',
  'checkout broken, payment declined on every order',
  'payment declined at checkout for the third time today',
  'my card got declined at checkout, is the payment system down?',
  'is checkout down? payment declined',
  'the payment page declines my card',
  'payment declined again at checkout, this is ridiculous',
  'RT @shopper: payment declined at checkout, tried three cards',
];
const DELIVERY = [
  'my parcel has not been delivered',
  'where is my delivery, it was due yesterday',
  'the courier never delivered my package',
  'delivery is late again, still waiting for the parcel',
  'package marked delivered but nothing arrived',
  'when will my order be delivered?',
];
const at = (hour: number, minute: number) => new Date(Date.UTC(2026, 10, 20, hour, minute)).toISOString();

/**
 * Stories on the user's path: mentions posted over HTTP, the classifier gives each its
 * story as they stream through, the writer stores them, and GET /v1/stories answers
 * which story is rising; an author's erasure leaves none of their text in a story.
 */
describe('GET /v1/stories and /v1/stories/{id}', () => {
  const dir = tempDir();
  let rt: Runtime;
  const get = async (path: string) => {
    const res = await fetch(`${rt.url}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };
  const window = `brand=acme&from=${at(9, 0)}&to=${at(10, 0)}`;

  beforeAll(async () => {
    // One partition: the clustering is online, so the stories depend on the order mentions
    // arrive in, and across partitions that order changes from run to run (docs/stories.md).
    rt = await startRuntime(
      testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_STORIES: '1', EARSHOT_TOPIC_PARTITIONS: '1' }),
      overHttp(['ingest', 'classifier', 'writer', 'api']),
    );
    const before = DELIVERY.map((text, i) => mention({ text, brands: ['acme'], created_at: at(8, i * 5), author: { id: `d${i}`, handle: `d${i}` } }));
    const during = [
      ...DELIVERY.map((text, i) => mention({ text, brands: ['acme'], created_at: at(9, i * 5), author: { id: `e${i}`, handle: `e${i}` } })),
      ...PAYMENT.map((text, i) => mention({ text, brands: ['acme'], created_at: at(9, 30 + i * 2), author: { id: `p${i}`, handle: `p${i}` } })),
    ];
    await postAndDrain(rt, [before, during]);
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('every mention in the window is in a story; the outage is the rising story, new, labelled by its words', async () => {
    const { status, body } = await get(`/v1/stories?${window}&sort=rising`);
    expect(status).toBe(200);
    expect(body.items.reduce((n: number, s: any) => n + s.mentions, 0)).toBe(DELIVERY.length + PAYMENT.length);
    const top = body.items[0];
    expect(top).toMatchObject({ brand: 'acme', new: true, previous_mentions: 0 });
    expect(top.mentions).toBeGreaterThanOrEqual(PAYMENT.length / 2);
    expect(top.label).toMatch(/payment|declined|checkout|card/);
    const detail = (await get(`/v1/stories/${encodeURIComponent(top.id)}`)).body;
    expect(detail.posts.length).toBeGreaterThan(0);
    for (const p of detail.posts) expect(PAYMENT).toContain(p.text);
    expect(detail.totals.mentions).toBe(top.mentions);
    expect(detail.sources).toEqual([{ source: 'twitter', mentions: top.mentions }]);
    expect(detail.timeline.map((t: any) => t.hour)).toEqual([at(9, 0)]);
    // Each of its posts, read as a mention, says which story it joined.
    const mention = (await get(`/v1/mentions?brand=acme&q=${encodeURIComponent(detail.posts[0].text.split(' ').slice(0, 3).join(' '))}&limit=5`)).body
      .items as any[];
    expect(mention.find((m) => m.id === detail.posts[0].id)).toMatchObject({ story_id: top.id });
    // The delivery complaints were there the hour before: their story (found from one of them,
    // whatever its label) is not new.
    const words = encodeURIComponent(DELIVERY[0]!.split(' ').slice(0, 3).join(' '));
    const inWindow = (await get(`/v1/mentions?brand=acme&q=${words}&from=${at(9, 0)}&to=${at(10, 0)}&limit=5`)).body.items as any[];
    const delivery = body.items.find((s: any) => s.id === inWindow[0]?.story_id);
    expect(delivery).toMatchObject({ new: false });
    expect(delivery.previous_mentions).toBeGreaterThan(0);
  });

  it('sort=volume puts the most mentioned first', async () => {
    const items = (await get(`/v1/stories?${window}&sort=volume`)).body.items as { mentions: number }[];
    expect(items.map((s) => s.mentions)).toEqual([...items.map((s) => s.mentions)].sort((a, b) => b - a));
  });

  it('bad queries are refused with a reason; an unknown story is a 404', async () => {
    expect((await get('/v1/stories')).status).toBe(400);
    expect((await get(`/v1/stories?${window}&sort=newest`)).body.error).toMatch(/sort/);
    expect((await get(`/v1/stories?brand=acme&from=${at(10, 0)}&to=${at(9, 0)}`)).body.error).toMatch(/from must be before to/);
    expect((await get('/v1/stories/no-such-story')).status).toBe(404);
  });

  it("an erased author's post leaves the story's posts, and the story keeps the rest", async () => {
    const top = (await get(`/v1/stories?${window}&sort=rising`)).body.items[0];
    const before = (await get(`/v1/stories/${encodeURIComponent(top.id)}`)).body;
    const erased = before.posts[0];
    const author = erased.author_handle as string;
    const res = await fetch(`${rt.url}/v1/authors/twitter/${author}`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as any).removed.stories).toBeGreaterThanOrEqual(1);
    const after = (await get(`/v1/stories/${encodeURIComponent(top.id)}`)).body;
    expect(after.posts.map((p: any) => p.id)).not.toContain(erased.id);
    expect(after.posts.length).toBeGreaterThan(0);
    expect(after.totals.mentions).toBe(before.totals.mentions - 1);
  });
});
