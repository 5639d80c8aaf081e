import { describe, expect, it } from 'vitest';
import { DEFAULT_STORY_EMBEDDING, DEFAULT_STORY_OPTIONS } from './index.js';
import { StaticEmbedding } from './static-embedding.js';
import { storiesOfTexts } from './offline-stories.js';
import { scoreClusters } from './cluster-metrics.js';
import { SHOP_STREAM } from '../test-support/shop-topics.js';

describe('stories of texts', () => {
  const e = StaticEmbedding.load(DEFAULT_STORY_EMBEDDING);
  const mixed = SHOP_STREAM;

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
