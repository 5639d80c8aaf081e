import { describe, expect, it } from 'vitest';
import { DEFAULT_STORY_EMBEDDING, DEFAULT_STORY_OPTIONS } from './index.js';
import { StaticEmbedding } from './static-embedding.js';
import { storiesOfTexts } from './offline-stories.js';
import { scoreClusters } from './cluster-metrics.js';

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

describe('stories of texts', () => {
  const e = StaticEmbedding.load(DEFAULT_STORY_EMBEDDING);
  const rows = Object.entries(TOPICS).flatMap(([topic, texts]) => texts.map((text) => ({ topic, text })));
  // Interleaved, as a stream would bring them.
  const mixed = rows.map((_, i) => rows[(i * 7) % rows.length]!);

  it('one story and label per text, in order; texts of one issue share stories more than not', () => {
    const out = storiesOfTexts(
      mixed.map((r) => r.text),
      (t) => e.embed(t),
      DEFAULT_STORY_OPTIONS,
      true,
    );
    expect(out).toHaveLength(mixed.length);
    for (const o of out) expect(o.label).not.toBe('');
    const s = scoreClusters(
      out.map((o) => o.story),
      mixed.map((r) => r.topic),
    );
    // Neither one story for all nor one per text: 18 texts, 3 issues, a handful of stories.
    expect(s.clusters).toBeGreaterThan(1);
    expect(s.clusters).toBeLessThanOrEqual(6);
    expect(s.nmi).toBeGreaterThan(0.5);
    expect(s.accuracy).toBeGreaterThan(0.6);
  });
});
