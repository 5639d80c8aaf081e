import { describe, expect, it } from 'vitest';
import { scoreClusters } from './cluster-metrics.js';
import { storiesOfTexts } from './offline-stories.js';
import { StaticEmbedding } from './static-embedding.js';
import { DEFAULT_STORY_EMBEDDING, STORY_ENCODER_HOW, encoderStoryEmbedding, staticStoryEmbedding, storyEncoderBuilt } from './story-embedding.js';

// Three issues a shop hears about, six ways each, interleaved as a stream brings them.
const TOPICS: Record<string, string[]> = {
  delivery: [
    'my parcel has not been delivered',
    'where is my delivery, it was due yesterday',
    'the courier never delivered my package',
    'delivery is late again, still waiting for the parcel',
    'package marked delivered but nothing arrived',
    'when will my order be delivered?',
  ],
  login: [
    'I cannot log in to the app',
    'login fails with an error every time',
    'the app will not let me sign in',
    'password reset does not work, cannot log in',
    'stuck on the login screen',
    'sign in keeps failing on my phone',
  ],
  refund: [
    'still waiting for my refund',
    'refund has not reached my account',
    'how long does a refund take?',
    'you promised a refund two weeks ago',
    'I returned the item but got no refund',
    'where is my money back for the return?',
  ],
};
const rows = Object.entries(TOPICS).flatMap(([topic, texts]) => texts.map((text) => ({ topic, text })));
const mixed = rows.map((_, i) => rows[(i * 7) % rows.length]!);

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
