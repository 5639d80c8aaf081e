import { describe, expect, it } from 'vitest';
import { EnrichmentSchema } from '@earshot/shared';
import { VaderClassifier } from './vader-classifier.js';

describe('VaderClassifier', () => {
  const classifier = new VaderClassifier();

  it('tells negative from positive from neutral', async () => {
    const [neg, pos, neu] = await classifier.classify([
      { text: 'This is the worst service ever, totally broken and useless' },
      { text: 'Absolutely love it, great job, thank you!' },
      { text: 'The store opens at nine on Monday' },
    ]);
    expect(neg!.sentiment.label).toBe('negative');
    expect(neg!.sentiment.score).toBeLessThan(-0.5);
    expect(pos!.sentiment.label).toBe('positive');
    expect(neu!.sentiment.label).toBe('neutral');
  });

  it('gives every awkward input a valid result instead of throwing', async () => {
    const inputs = [
      { text: '' },
      { text: '   ' },
      { text: '😡😡😡' },
      { text: 'bad '.repeat(25_000) },
      { text: 'Отличный сервис but 最悪 service \u0000 ﷽' },
      { text: Buffer.from([0x61, 0xff, 0x62]).toString('utf8') },
    ];
    const out = await classifier.classify(inputs);
    expect(out).toHaveLength(inputs.length);
    for (const e of out) expect(EnrichmentSchema.safeParse(e).success).toBe(true);
    expect(out[0]!.sentiment).toEqual({ label: 'neutral', score: 0, probs: { negative: 0, neutral: 1, positive: 0 } });
    expect(out[3]!.sentiment.label).toBe('negative');
  });

  it('reports the model and keeps the mention language', async () => {
    const [e] = await classifier.classify([{ text: 'ok', lang: 'fr' }]);
    expect(e!.model.name).toBe('vader-lexicon');
    expect(e!.lang).toBe('fr');
  });
});
