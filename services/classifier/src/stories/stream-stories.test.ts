import { describe, expect, it } from 'vitest';
import { EnrichedMentionSchema, mentionsEnrichedTopic, type EnrichedMention } from '@earshot/shared';
import { StaticEmbedding } from './static-embedding.js';
import { DEFAULT_STORY_EMBEDDING } from './story-embedding.js';
import { STREAM_STORY_OPTIONS, StreamStories, storyStage } from './stream-stories.js';
import { SHOP_STREAM } from '../test-support/shop-topics.js';
import { scoreClusters } from './cluster-metrics.js';

const embedding = StaticEmbedding.load(DEFAULT_STORY_EMBEDDING);
const base = EnrichedMentionSchema.parse(mentionsEnrichedTopic.examples[0]);
const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 8, minute)).toISOString();
const mentionOf = (text: string, i: number, brand = 'acme'): EnrichedMention => ({ ...base, id: `m${i}`, text, brands: [brand], created_at: at(i % 60) });

describe('stories in the stream', () => {
  it('gives each mention a story of its brand, as the offline stories do: issues apart, a label from their words', () => {
    const stories = new StreamStories(embedding, undefined, 'run1');
    const out = stories.assign(SHOP_STREAM.map((r, i) => mentionOf(r.text, i)));
    const s = scoreClusters(
      out.map((m) => m.story_id!),
      SHOP_STREAM.map((r) => r.topic),
    );
    // 18 texts, 3 issues, taken once in stream order: a handful of stories, mostly one issue each.
    expect(s.clusters).toBeGreaterThan(1);
    expect(s.clusters).toBeLessThanOrEqual(9);
    expect(s.nmi).toBeGreaterThan(0.5);
    for (const m of out) expect(m.story_id).toMatch(/^run1-/);
    // A story's label, once it has two mentions, is words of its own mentions.
    const texts = new Map<string, string[]>();
    out.forEach((m) => texts.set(m.story_id!, [...(texts.get(m.story_id!) ?? []), m.text.toLowerCase()]));
    const last = new Map(out.map((m) => [m.story_id!, m.story_label!]));
    for (const [id, own] of texts) {
      if (own.length < 2) continue;
      expect(last.get(id)).not.toBe('');
      for (const word of last.get(id)!.split(' '))
        expect(
          own.some((t) => t.includes(word)),
          `${word} in ${id}`,
        ).toBe(true);
    }
  });

  it('keeps brands apart: the same text for two brands is two stories', () => {
    const stories = new StreamStories(embedding, undefined, 'run2');
    const [a, b] = stories.assign([mentionOf('Payment declined at checkout again', 0, 'acme'), mentionOf('Payment declined at checkout again', 1, 'globex')]);
    expect(a!.story_id).not.toBe(b!.story_id);
  });

  it('a repost joins its original story', () => {
    const stories = new StreamStories(embedding, undefined, 'run3');
    const [orig, , repost] = stories.assign([
      mentionOf('My parcel never arrived and tracking shows nothing for a week', 0),
      mentionOf('Love the new colours in the spring range', 1),
      mentionOf('RT @someone: My parcel never arrived and tracking shows nothing for a week', 2),
    ]);
    expect(repost!.story_id).toBe(orig!.story_id);
  });

  it('publishes each merge once, on the mention whose assignment made it; each reads to the story that goes on', () => {
    // Merges checked every 3 mentions with a low floor, so the shop's stories merge as they stream.
    const stories = new StreamStories(embedding, { ...STREAM_STORY_OPTIONS, mergeEvery: 3, merge: 0.3 }, 'run5');
    const out = stories.assign(SHOP_STREAM.map((r, i) => mentionOf(r.text, i)));
    const merges = out.flatMap((m) => m.story_merges ?? []);
    expect(merges.length).toBeGreaterThan(1);
    // Once each: a story merges away only once, and no mention after it carries its id.
    expect(new Set(merges.map((x) => x.from)).size).toBe(merges.length);
    let earlier = 0;
    out.forEach((m, i) => {
      for (const { from } of m.story_merges ?? []) {
        if (out.slice(0, i).some((e) => e.story_id === from)) earlier++;
        expect(out.slice(i).some((e) => e.story_id === from)).toBe(false);
      }
      expect(EnrichedMentionSchema.parse(m).story_merges).toEqual(m.story_merges);
    });
    // Stories that had mentions before they merged away (a story may also merge in the assignment that made it).
    expect(earlier).toBeGreaterThan(0);
    const into = new Map(merges.map((x) => [x.from, x.into]));
    const survivor = (id: string): string => (into.has(id) ? survivor(into.get(id)!) : id);
    // What the stage says now of each earlier mention's story (a repost joins its original's) is the published chain's end.
    const later = stories.assign(out.map((m, i) => mentionOf(`RT @x: ${m.text}`, 100 + i)));
    later.forEach((r, i) => expect(r.story_id).toBe(survivor(out[i]!.story_id!)));
  });

  it('adds nothing to a mention when no stories merged', () => {
    const out = new StreamStories(embedding, undefined, 'run6').assign(SHOP_STREAM.map((r, i) => mentionOf(r.text, i)));
    for (const m of out) expect('story_merges' in m).toBe(false);
  });

  it("assigns partitions' batches that reach the stage together in event time order, each batch answered with its own", async () => {
    const order: string[] = [];
    class Recorded extends StreamStories {
      override assign(mentions: EnrichedMention[]): EnrichedMention[] {
        order.push(...mentions.map((m) => m.id));
        return super.assign(mentions);
      }
    }
    const stage = storyStage(new Recorded(embedding, undefined, 'run7'));
    const control = { messages: [], batch: undefined as never };
    // Two partitions' batches of one brand, each in time order, their hours interleaved.
    const even = [0, 2, 4].map((i) => mentionOf(SHOP_STREAM[i]!.text, i));
    const odd = [1, 3, 5].map((i) => mentionOf(SHOP_STREAM[i]!.text, i));
    const [a, b] = await Promise.all([stage(even, control), stage(odd, control)]);
    expect(order).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(a.map((r) => ('ok' in r ? r.ok.id : null))).toEqual(['m0', 'm2', 'm4']);
    expect(b.map((r) => ('ok' in r ? r.ok.story_id : null)).every((id) => id?.startsWith('run7-'))).toBe(true);
    // A batch in a later turn is assigned on its own.
    await stage([mentionOf(SHOP_STREAM[6]!.text, 6)], control);
    expect(order.at(-1)).toBe('m6');
  });

  it('with stories off the stage passes mentions on unchanged', async () => {
    const m = mentionOf('anything', 0);
    expect(await storyStage(undefined)([m], { messages: [], batch: undefined as never })).toEqual([{ ok: m }]);
  });
});
