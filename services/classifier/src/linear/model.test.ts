import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { featurize, normalizeText } from './features.js';
import { trainHead } from './trainer.js';
import { LinearModel } from './model.js';

const dir = mkdtempSync(join(tmpdir(), 'linear-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const features = { bits: 12, charMin: 3, charMax: 4 };

describe('features', () => {
  it('are deterministic, normalise users, links and elongation, and mark negation scope', () => {
    expect(featurize('Sooooo good @bob http://x.co/1', features)).toEqual(featurize('soo GOOD @alice https://t.co/zz', features));
    expect(normalizeText('Sooooo good @bob http://x.co/1')).toBe('soo good  @user   httpurl ');
    expect(featurize('not good', features)).not.toEqual(featurize('good not', features));
  });

  it('stay bounded for a 100k-character text', () => {
    expect(featurize('word '.repeat(20_000), features).length).toBeLessThan(10_000);
  });
});

describe('LinearModel', () => {
  const toy = [
    ['love it great', 2],
    ['awesome love', 2],
    ['great thanks', 2],
    ['hate it awful', 0],
    ['terrible awful', 0],
    ['worst hate', 0],
    ['it is a phone', 1],
    ['the store opens', 1],
  ] as const;
  const head = trainHead(
    { name: 'sentiment', labels: ['negative', 'neutral', 'positive'], kind: 'softmax' },
    toy.map(([t, l]) => ({ features: featurize(t, features), label: l })),
    { dim: 1 << features.bits, epochs: 30, learningRate: 0.5, l2: 0, balanced: true, seed: 1 },
  );
  const model = new LinearModel({ name: 'toy', version: '1', features, heads: [head], trainedOn: { sentiment: toy.length } });

  it('learns a toy task', () => {
    const top = (t: string) => Object.entries(model.predict(t).sentiment!).sort((a, b) => b[1] - a[1])[0]![0];
    expect(top('love love great')).toBe('positive');
    expect(top('awful worst')).toBe('negative');
  });

  it('saves and loads to the same predictions', () => {
    const path = join(dir, 'toy.bin');
    model.save(path);
    const loaded = LinearModel.load(path);
    expect(loaded.name).toBe('toy');
    for (const t of ['love it', 'awful', 'a phone']) {
      const a = model.predict(t).sentiment!;
      const b = loaded.predict(t).sentiment!;
      for (const k of Object.keys(a)) expect(b[k]).toBeCloseTo(a[k]!, 5);
    }
  });

  it('refuses a file that is not a model, or is cut short', () => {
    const bad = join(dir, 'bad.bin');
    writeFileSync(bad, 'hello');
    expect(() => LinearModel.load(bad)).toThrow(/not an Earshot linear model/);
    const good = readFileSync(join(dir, 'toy.bin'));
    writeFileSync(bad, good.subarray(0, good.length - 10));
    expect(() => LinearModel.load(bad)).toThrow();
  });
});
