import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DenseHeads } from './dense/heads.js';
import { TransformersEncoder } from './encoder.js';
import { DEFAULT_LINEAR_MODEL } from './linear-classifier.js';
import { LinearModel } from './linear/model.js';
import { detectLanguage } from './lang.js';
import {
  LanguageSplitClassifier,
  LoadedOnFirstUse,
  MULTILINGUAL_ENCODER,
  MULTILINGUAL_HEADS,
  multilingualEncoderBuilt,
  withMultilingualEncoder,
} from './multilingual-tier.js';
import { saveTinySentimentHeads } from './test-support/tiny-heads.js';
import { TransformersClassifier } from './transformers-classifier.js';

const TINY = join(dirname(fileURLToPath(import.meta.url)), '../test-fixtures/tiny-bert');
const dir = mkdtempSync(join(tmpdir(), 'multilingual-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const options = { model: TINY, offline: true, dtype: 'fp32' as const, threads: 1, batchSize: 4 };
const common = { ...options, linearPath: DEFAULT_LINEAR_MODEL, weight: 0.7, mixCalibration: false };
const linear = LinearModel.load(DEFAULT_LINEAR_MODEL);
const languageOf = (t: string) => detectLanguage(t, linear.predict(t).lang);

async function tinyClassifier(name: string, labels: number[], languages: string[]) {
  mkdirSync(join(dir, name));
  const texts = ['love it great', 'great thanks love', 'awful broken hate', 'terrible awful app', 'the app', 'an order'];
  const headsPath = await saveTinySentimentHeads({ options, dir: join(dir, name), texts, labels, epochs: 200, languages });
  return TransformersClassifier.load({ ...common, headsPath });
}

describe('the multilingual encoder beside the English one', () => {
  it('puts the heads file\'s prefix before every text ("query: " for e5)', async () => {
    const plain = await TransformersEncoder.load(options);
    const prefixed = await TransformersEncoder.load({ ...options, prefix: 'query: ' });
    const [a] = await prefixed.embed(['good service']);
    const [b] = await plain.embed(['query: good service']);
    const [c] = await plain.embed(['good service']);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(Array.from(a!)).not.toEqual(Array.from(c!));
    await Promise.all([plain.dispose(), prefixed.dispose()]);
  });

  it('sends each mention to the encoder whose heads list its language, in the order given', async () => {
    // Two heads with opposite labels, so which encoder scored a mention shows in its sentiment.
    const main = await tinyClassifier('main', [2, 2, 0, 0, 1, 1], ['en', 'und']);
    const multi = await tinyClassifier('multi', [0, 0, 2, 2, 1, 1], ['fr', 'es']);
    const split = new LanguageSplitClassifier(main, multi, new Set(['fr', 'es']), languageOf);
    const texts = [
      "je suis très déçu, le service client ne répond jamais et l'application plante",
      'the delivery was late again and nobody answers my emails',
      'el pedido llegó tarde y nadie contesta mis correos, qué vergüenza',
    ];
    expect(texts.map(languageOf)).toEqual(['fr', 'en', 'es']);
    const got = await split.probabilities(texts);
    const fromMulti = await multi.probabilities([texts[0]!, texts[2]!]);
    const [fromMain] = await main.probabilities([texts[1]!]);
    expect(got).toEqual([fromMulti[0], fromMain, fromMulti[1]]);
    expect(got[0]!.sentiment).not.toEqual((await main.probabilities([texts[0]!]))[0]!.sentiment);
    const [fr, en, empty] = await split.classify([{ text: texts[0]! }, { text: texts[1]! }, { text: '' }]);
    expect(fr!.model.name).toBe(split.model.name);
    expect(en!.sentiment).toBeDefined();
    expect(empty!.sentiment.label).toBe('neutral');
    await split.close();
  });

  it("reads a text with its language's own heads where the heads file has them, the shared ones elsewhere", () => {
    const head = (weights: number[][]) => ({
      name: 'sentiment',
      labels: ['negative', 'neutral', 'positive'],
      kind: 'softmax' as const,
      weights,
      bias: [0, 0, 0],
    });
    const heads = new DenseHeads({
      format: 'earshot-dense-heads/1',
      encoder: { name: 'e5', dims: 2, pooling: 'mean', normalize: false, languages: ['fr', 'de'] },
      heads: [
        head([
          [0, 0],
          [0, 0],
          [4, 0],
        ]),
      ],
      byLanguage: {
        fr: [
          head([
            [4, 0],
            [0, 0],
            [0, 0],
          ]),
        ],
      },
      trainedOn: {},
    });
    const top = (p: Record<string, number>) => Object.entries(p).sort((a, b) => b[1] - a[1])[0]![0];
    expect(top(heads.predict([1, 0], 'fr').sentiment!)).toBe('negative');
    expect(top(heads.predict([1, 0], 'de').sentiment!)).toBe('positive');
    expect(top(heads.predict([1, 0]).sentiment!)).toBe('positive');
  });

  it('loads the multilingual encoder at the first mention in its languages, once, and again after a failed load', async () => {
    const main = await tinyClassifier('lazy-main', [2, 2, 0, 0, 1, 1], ['en', 'und']);
    let loads = 0;
    let failNext = true;
    const multi = new LoadedOnFirstUse({ name: 'tiny-multi', version: '1' }, async () => {
      loads++;
      if (failNext) {
        failNext = false;
        throw new Error('disk went away');
      }
      return tinyClassifier(`lazy-multi-${loads}`, [0, 0, 2, 2, 1, 1], ['fr']);
    });
    const split = new LanguageSplitClassifier(main, multi, new Set(['fr']), languageOf);
    await split.probabilities(['the delivery was late again and nobody answers my emails']);
    expect(loads).toBe(0);
    const french = "je suis très déçu, le service client ne répond jamais et l'application plante";
    await expect(split.probabilities([french])).rejects.toThrow(/disk went away/);
    const [a] = await split.probabilities([french]);
    const [b] = await split.probabilities([french]);
    expect(loads).toBe(2);
    expect(a).toEqual(b);
    expect(a!.sentiment).not.toEqual((await main.probabilities([french]))[0]!.sentiment);
    await split.close();
  });

  it('says how to build the multilingual encoder when it is missing', async () => {
    const main = await tinyClassifier('alone', [2, 2, 0, 0, 1, 1], ['en', 'und']);
    await expect(withMultilingualEncoder(main, { ...common, model: join(dir, 'not-built') })).rejects.toThrow(/npm run models:build:multilingual/);
    await main.close();
  });
});

// The real encoder is ~120 MB, built by `npm run models:build:multilingual`, not in git.
describe.skipIf(!multilingualEncoderBuilt())(`the built multilingual encoder (${MULTILINGUAL_ENCODER})`, () => {
  it('reads sentiment in the languages its heads list', async () => {
    const clf = await TransformersClassifier.load({
      model: MULTILINGUAL_ENCODER,
      headsPath: MULTILINGUAL_HEADS,
      offline: true,
      dtype: 'q8',
      threads: 1,
      batchSize: 8,
      linearPath: DEFAULT_LINEAR_MODEL,
      weight: 1,
    });
    const cases: [string, string][] = [
      ['Me encanta este teléfono, la batería dura todo el día. ¡Gracias!', 'positive'],
      ['Das ist der schlechteste Kundenservice, den ich je erlebt habe. Nie wieder!', 'negative'],
      ["J'adore cette application, elle est parfaite et très simple à utiliser", 'positive'],
      ['Che schifo, il treno è di nuovo in ritardo di due ore e nessuno ci dice niente', 'negative'],
      ['Péssimo atendimento, estou muito decepcionado com a loja', 'negative'],
    ];
    const probs = await clf.encoderProbabilities(cases.map(([t]) => t));
    const labels = probs.map((p) => Object.entries(p.sentiment!).sort((a, b) => b[1] - a[1])[0]![0]);
    expect(labels).toEqual(cases.map(([, l]) => l));
    await clf.close();
  }, 60_000);
});

if (!multilingualEncoderBuilt())
  console.info(`multilingual encoder not built (${MULTILINGUAL_ENCODER}): its test is skipped; npm run models:build:multilingual builds it`);
