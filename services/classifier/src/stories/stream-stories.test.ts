import { describe, expect, it } from 'vitest';
import { EnrichedMentionSchema, mentionsEnrichedTopic, type EnrichedMention } from '@earshot/shared';
import { StaticEmbedding } from './static-embedding.js';
import { DEFAULT_STORY_EMBEDDING } from './story-embedding.js';
import { StreamStories, storyStage } from './stream-stories.js';
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

  it('with stories off the stage passes mentions on unchanged', async () => {
    const m = mentionOf('anything', 0);
    expect(await storyStage(undefined)([m], { messages: [], batch: undefined as never })).toEqual([{ ok: m }]);
  });
});
