import { describe, expect, it } from 'vitest';
import { scoreClusters } from './cluster-metrics.js';
import { SHOP_STREAM } from '../test-support/shop-topics.js';
import { storiesOfTexts } from './offline-stories.js';
import { StaticEmbedding } from './static-embedding.js';
import { DEFAULT_STORY_EMBEDDING, STORY_ENCODER_HOW, encoderStoryEmbedding, staticStoryEmbedding, storyEncoderBuilt } from './story-embedding.js';

const mixed = SHOP_STREAM;

describe('story embeddings', () => {
  it('the static one embeds as StaticEmbedding does, with its own options', async () => {
    const e = staticStoryEmbedding();
    const vecs = await e.embedAll(['my parcel is late', 'cannot log in']);
    expect(e.kind).toBe('static');
    expect([...vecs[0]!]).toEqual([...StaticEmbedding.load(DEFAULT_STORY_EMBEDDING).embed('my parcel is late')]);
  });

  it('asking for an encoder that is not built says how to build it', async () => {
    await expect(encoderStoryEmbedding('/nonexistent/encoder')).rejects.toThrow(STORY_ENCODER_HOW);
  });
});

const built = storyEncoderBuilt();
describe.skipIf(!built)(`the stories encoder${built ? '' : ` (skipped: not built; \`${STORY_ENCODER_HOW}\` builds it)`}`, () => {
  it('groups each issue into one story, found without being told how many', async () => {
    const e = await encoderStoryEmbedding();
    const done: number[] = [];
    const vecs = await e.embedAll(
      mixed.map((r) => r.text),
      (n) => done.push(n),
    );
    await e.dispose();
    expect(e.kind).toBe('encoder');
    expect(done.at(-1)).toBe(mixed.length);
    const out = storiesOfTexts(
      mixed.map((r) => r.text),
      (_, i) => vecs[i]!,
      e.options,
      true,
    );
    const s = scoreClusters(
      out.map((o) => o.story),
      mixed.map((r) => r.topic),
    );
    expect(s.clusters).toBe(3);
    expect(s.accuracy).toBe(1);
  }, 60_000);
});
