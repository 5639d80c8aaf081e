import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { featurize, normalizeText, tokenize } from './features.js';
import { trainHead, trainWithResiduals } from './trainer.js';
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

  // The shipped model's weights sit at these hashes: featurize hashes each prefix once and
  // continues over the token, so it must equal hashing the whole feature string.
  it('hash each feature string with FNV-1a, as the shipped model was trained', () => {
    const fnv = (f: string) => {
      let h = 0x811c9dc5;
      for (let i = 0; i < f.length; i++) h = Math.imul(h ^ f.charCodeAt(i), 0x01000193);
      return (h >>> 0) & ((1 << features.bits) - 1);
    };
    const reference = (text: string) => {
      const out: number[] = [];
      let [negated, prev] = [false, '<s>'];
      for (const raw of tokenize(normalizeText(text))) {
        if (/^[.,;:!?]+$/.test(raw)) negated = false;
        const isWord = /\p{L}/u.test(raw);
        const tok = negated && isWord ? `${raw}_neg` : raw;
        out.push(fnv(`w:${tok}`), fnv(`b:${prev} ${tok}`));
        if (raw.startsWith('#')) out.push(fnv(`w:${raw.slice(1)}`));
        if (isWord)
          for (let n = features.charMin; n <= features.charMax; n++)
            for (let i = 0; i + n <= raw.length + 2; i++) out.push(fnv(`c:${`<${raw}>`.slice(i, i + n)}`));
        if (raw === 'not' || raw.endsWith("n't")) negated = true;
        prev = tok;
      }
      return [...out, fnv(`b:${prev} </s>`), fnv('bias:1')];
    };
    for (const text of ['Not good, not again! #fail', "I don't like it. but ok", 'Café déjà vu 😡', '']) {
      expect(Array.from(featurize(text, features))).toEqual(reference(text));
    }
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

  // predictFeatures adds three rows' int8 weights per float64 and drains every 512 features:
  // it must give what a plain sum of the quantised weights gives, past both limits.
  it('scores exactly as a plain sum of its int8 weights, with many rows and long texts', () => {
    const dim = 1 << features.bits;
    const labels = Array.from({ length: 22 }, (_, i) => `l${i}`);
    const weights = Float32Array.from({ length: labels.length * dim }, (_, i) => Math.sin(i * 12.9898) * 3);
    const wide = { name: 'wide', labels, kind: 'softmax' as const, weights, bias: Float32Array.from(labels, (_, i) => i / 10) };
    const yes = { name: 'yes', labels: ['yes'], kind: 'sigmoid' as const, weights: weights.slice(0, dim), bias: Float32Array.of(-0.2) };
    const big = new LinearModel({ name: 'wide', version: '1', features, heads: [wide, yes], trainedOn: {} });
    const expected = (f: Uint32Array) => {
      const logits = [wide, yes].map((h) =>
        Array.from(h.bias, (b, r) => {
          const row = h.weights.subarray(r * dim, (r + 1) * dim);
          const scale = row.reduce((m, w) => Math.max(m, Math.abs(w)), 0) / 127;
          let sum = 0;
          for (const i of f) sum += Math.round(row[i]! / scale);
          return (sum * scale) / Math.sqrt(Math.max(1, f.length)) + b;
        }),
      );
      const e = logits[0]!.map((z) => Math.exp(z - Math.max(...logits[0]!)));
      return { wide: e.map((v) => v / e.reduce((a, b) => a + b, 0)), yes: 1 / (1 + Math.exp(-logits[1]![0]!)) };
    };
    for (const text of ['love it', 'word '.repeat(400) + 'awful', '']) {
      const f = featurize(text, features);
      const got = big.predictFeatures(f);
      const want = expected(f);
      labels.forEach((l, i) => expect(got.wide![l]).toBeCloseTo(want.wide[i]!, 12));
      expect(got.yes!.yes).toBeCloseTo(want.yes, 12);
    }
    expect(featurize('word '.repeat(400), features).length).toBeGreaterThan(1024);
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

describe('language residuals', () => {
  // "top" praises in English but, as in some slang, mocks in French (group 0): the shared
  // weights cannot serve both, a residual for the group can.
  const sentiment = { name: 'sentiment', labels: ['negative', 'neutral', 'positive'], kind: 'softmax' as const };
  const rows = [
    ['top service', 2, undefined],
    ['top team', 2, undefined],
    ['great top', 2, undefined],
    ['awful service', 0, undefined],
    ['a phone', 1, undefined],
    ['le top service', 0, 0],
    ['le top du top', 0, 0],
    ['le service', 1, 0],
  ] as const;
  const opts = { dim: 1 << features.bits, epochs: 40, learningRate: 0.5, l2: 0, balanced: true, seed: 1 };
  const ex = rows.map(([t, label, group]) => ({ features: featurize(t, features), label, group }));
  const { shared, residuals } = trainWithResiduals(sentiment, ex, opts, { groups: 1, l2: 0 });
  // A lang head that says 'fr' for texts with "le" and 'en' otherwise.
  const lang = trainHead(
    { name: 'lang', labels: ['en', 'fr'], kind: 'softmax' },
    ['le top', 'le service', 'le du', 'top service', 'awful team', 'a phone'].map((t) => ({
      features: featurize(t, features),
      label: t.startsWith('le') ? 1 : 0,
    })),
    { ...opts, learningRate: 1 },
  );
  const model = new LinearModel({ name: 'ml', version: '1', features, heads: [shared, lang, { ...residuals[0]!, language: 'fr' }], trainedOn: {} });
  const top = (m: LinearModel, t: string) => Object.entries(m.predict(t).sentiment!).sort((a, b) => b[1] - a[1])[0]![0];

  it('add to their head only for texts the lang head gives their language', () => {
    expect(model.predict('le top service').lang!.fr).toBeGreaterThan(0.5);
    expect(top(model, 'le top service')).toBe('negative');
    expect(top(model, 'top service')).toBe('positive');
    // It is the residual that reads the French text as mockery: the shared head alone is far less sure.
    const alone = new LinearModel({ name: 'shared', version: '1', features, heads: [shared, lang], trainedOn: {} });
    expect(alone.predict('le top service').sentiment!.negative).toBeLessThan(model.predict('le top service').sentiment!.negative! - 0.3);
  });

  it('save and load with their language', () => {
    const path = join(dir, 'ml.bin');
    model.save(path);
    const loaded = LinearModel.load(path);
    expect(loaded.file.heads.map((h) => h.language)).toEqual([undefined, undefined, 'fr']);
    for (const t of ['le top service', 'top service']) {
      const a = model.predict(t).sentiment!;
      const b = loaded.predict(t).sentiment!;
      for (const k of Object.keys(a)) expect(b[k]).toBeCloseTo(a[k]!, 5);
    }
  });

  it('refuse a residual with no head to add to', () => {
    expect(() => new LinearModel({ name: 'bad', version: '1', features, heads: [lang, { ...residuals[0]!, language: 'fr' }], trainedOn: {} })).toThrow(
      /no head/,
    );
  });
});
