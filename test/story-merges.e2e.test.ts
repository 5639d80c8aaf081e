import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '@earshot/cli';
import { SHOP_ROWS } from '../services/classifier/src/test-support/shop-topics.js';
import { mention, overHttp, postAndDrain, tempDir, testConfig } from './helpers.js';

/** The demo's outage, five sentences, each posted by many people (docs/stories.md, "One outage, one story"). */
const OUTAGE = [
  'app crashed at checkout three times',
  'mobile ordering is down again, my order failed',
  "your app is broken, can't order anything",
  'stood in line for 20 minutes because mobile ordering failed',
  'app down for everyone? Payment error every time',
];
const T0 = Date.UTC(2026, 10, 20, 6, 0);
const MIN = 60_000;
const at = (ms: number) => new Date(T0 + ms).toISOString();

/**
 * Stories that merge after some of their mentions were stored, on the user's path: three
 * quiet hours, then an outage told in five sentences, each its own young story until they
 * burst together and merge (the classifier's rule, unchanged here). Mentions go over HTTP in
 * the order they were posted, one partition, so the clustering sees them in that order.
 */
describe('a story that merged reads as one over the API', () => {
  const dir = tempDir();
  let rt: Runtime;
  const get = async (path: string) => {
    const res = await fetch(`${rt.url}${path}`);
    return { status: res.status, body: (await res.json()) as any };
  };
  // Fifty posts, 40 s apart, the five sentences in turn.
  const outage = Array.from({ length: 50 }, (_, i) => i);
  const window = `brand=acme&from=${at(3 * 60 * MIN)}&to=${at(4 * 60 * MIN)}`;

  beforeAll(async () => {
    rt = await startRuntime(
      testConfig({ EARSHOT_DATA_DIR: dir.path, EARSHOT_STORIES: '1', EARSHOT_TOPIC_PARTITIONS: '1' }),
      overHttp(['ingest', 'classifier', 'writer', 'api']),
    );
    const quiet = Array.from({ length: 36 }, (_, i) => mention({ text: SHOP_ROWS[i % SHOP_ROWS.length]!.text, created_at: at(i * 5 * MIN) }));
    const burst = outage.map((i) => mention({ text: OUTAGE[i % OUTAGE.length]!, created_at: at(3 * 60 * MIN + i * 40_000) }));
    // The outage's first posts are stored before its stories merge.
    await postAndDrain(rt, [quiet, burst.slice(0, 15), burst.slice(15)]);
  }, 120_000);
  afterAll(async () => {
    await rt?.stop();
    dir.remove();
  });

  it('the outage is one story with all its posts: in the list, its detail, and the mentions filtered by it', async () => {
    const { body } = await get(`/v1/stories?${window}&sort=volume`);
    expect(body.items.map((s: any) => s.mentions)).toEqual([outage.length]);
    const story = body.items[0];
    const detail = (await get(`/v1/stories/${encodeURIComponent(story.id)}`)).body;
    expect(detail).toMatchObject({ id: story.id, totals: { mentions: outage.length } });
    // It was several stories when its first posts were stored.
    expect(detail.merged_ids.length).toBeGreaterThan(0);
    expect(new Set(detail.posts.map((p: any) => p.text)).size).toBeGreaterThan(1);
    for (const p of detail.posts) expect(OUTAGE).toContain(p.text);
    const mentions = (await get(`/v1/mentions?story=${encodeURIComponent(story.id)}&limit=500`)).body.items as any[];
    expect(mentions.length).toBe(outage.length);
    for (const m of mentions) expect(m.story_id).toBe(story.id);
    // A story that merged away answers as the one it went into, and filters to all of it.
    const gone = detail.merged_ids[0];
    expect((await get(`/v1/stories/${encodeURIComponent(gone)}`)).body).toEqual(detail);
    expect((await get(`/v1/mentions?story=${encodeURIComponent(gone)}&limit=500`)).body.count).toBe(outage.length);
  });
});
