import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EnrichmentSchema } from '@earshot/shared';
import { DenseHeads } from './dense/heads.js';
import { TransformersEncoder } from './encoder.js';
import { TransformersClassifier } from './transformers-classifier.js';
import { sha256File } from './mix-calibration.js';
import { saveTinySentimentHeads } from './test-support/tiny-heads.js';
import { DEFAULT_LINEAR_MODEL } from './linear-classifier.js';
import { LinearModel } from './linear/model.js';
import { TextClassificationClassifier, sentimentLabelMap } from './text-classification-classifier.js';

/**
 * The accurate tier's real loading and inference code (transformers.js, ONNX Runtime),
 * offline, on a tiny BERT the project builds (scripts/models/build_bert_onnx.py --tiny).
 */
const TINY = join(dirname(fileURLToPath(import.meta.url)), '../test-fixtures/tiny-bert');
const dir = mkdtempSync(join(tmpdir(), 'heads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const options = { model: TINY, offline: true, dtype: 'fp32' as const, threads: 1, batchSize: 4 };

describe('accurate tier on a transformers.js model folder', () => {
  it('embeds offline: one normalised vector per text, the same every time', async () => {
    const encoder = await TransformersEncoder.load(options);
    expect(encoder.dims).toBe(16);
    const [a, b, c] = await encoder.embed(['good service', 'good service', 'awful app broken']);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 4);
    expect(Array.from(a!)).toEqual(Array.from(b!));
    expect(Array.from(a!)).not.toEqual(Array.from(c!));
    await encoder.dispose();
  });

  it('returns embeddings in the order given, however the texts are batched by length', async () => {
    const encoder = await TransformersEncoder.load({ ...options, batchSize: 2 });
    const texts = ['the app is broken again and nobody answers my emails', 'good', 'awful service today', 'ok'];
    const together = await encoder.embed(texts);
    for (const [i, text] of texts.entries()) {
      const [alone] = await encoder.embed([text]);
      together[i]!.forEach((v, d) => expect(v).toBeCloseTo(alone![d]!, 4));
    }
    await encoder.dispose();
  });

  it('trains heads on its embeddings and classifies with them, awkward inputs included', async () => {
    const texts = ['love it great', 'great thanks love', 'awful broken hate', 'terrible awful app', 'the app', 'an order'];
    const headsPath = await saveTinySentimentHeads({ options, dir, texts, labels: [2, 2, 0, 0, 1, 1], epochs: 200 });

    const clf = await TransformersClassifier.load({ ...options, headsPath, linearPath: DEFAULT_LINEAR_MODEL, weight: 0.5 });
    expect(clf.model.name).toBe('earshot-ensemble(tiny-bert+earshot-linear-fast)');
    const inputs = ['great thanks love', '', '😡', 'x'.repeat(100_000), 'Отличный 最悪'];
    const out = await clf.classify(inputs.map((text) => ({ text })));
    expect(out).toHaveLength(inputs.length);
    for (const e of out) expect(EnrichmentSchema.safeParse(e).success).toBe(true);
    expect(out[0]!.sentiment.label).toBe('positive');
    expect(out[1]!.sentiment).toEqual({ label: 'neutral', score: 0, probs: { negative: 0, neutral: 1, positive: 0 } });
    expect(await clf.classify([{ text: 'great thanks love' }])).toEqual([out[0]]);
    await clf.close();
  });

  it('recalibrates after the mix (yes/no shift, then temperature) only when fitted for this weight and linear model, and warns otherwise', async () => {
    const texts = ['love it great', 'awful broken hate', 'the app'];
    const plainPath = await saveTinySentimentHeads({ options, dir, texts, labels: [2, 0, 1], epochs: 50 });
    const plain = JSON.parse(readFileSync(plainPath, 'utf8'));
    const withMix = (linearSha256: string, weight = 0.5) => {
      const path = join(dir, `mix-${linearSha256.slice(0, 6)}-${weight}.json`);
      const mix = { weight, linearSha256, shift: { offensive: 6 }, temperature: { offensive: 2, sentiment: 0.5 } };
      writeFileSync(path, JSON.stringify({ ...plain, mix }));
      return path;
    };
    const text = 'thanks for the quick reply';
    const probabilities = async (headsPath: string, weight = 0.5) => {
      const clf = await TransformersClassifier.load({ ...options, headsPath, linearPath: DEFAULT_LINEAR_MODEL, weight });
      const [p] = await clf.probabilities([text]);
      await clf.close();
      return p!;
    };
    const lo = (p: number) => Math.log(p / (1 - p));
    const base = await probabilities(plainPath);
    expect(base.offensive!.offensive!).toBeLessThan(0.5);
    const after = await probabilities(withMix(sha256File(DEFAULT_LINEAR_MODEL)));
    // Offensive: shifted by 6, then its logit halved. Sentiment: log-odds between any two labels doubled (T = 0.5), same order.
    expect(lo(after.offensive!.offensive!)).toBeCloseTo((lo(base.offensive!.offensive!) + 6) / 2, 4);
    const ratio = (p: Record<string, number>, a: string, b: string) => Math.log(p[a]! / p[b]!);
    expect(ratio(after.sentiment!, 'positive', 'negative')).toBeCloseTo(2 * ratio(base.sentiment!, 'positive', 'negative'), 4);
    expect(ratio(after.sentiment!, 'neutral', 'negative')).toBeCloseTo(2 * ratio(base.sentiment!, 'neutral', 'negative'), 4);
    expect(Object.values(after.sentiment!).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(after.emotion).toEqual(base.emotion);

    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      expect(await probabilities(withMix('0'.repeat(64)))).toEqual(base);
      expect(await probabilities(withMix(sha256File(DEFAULT_LINEAR_MODEL), 0.7), 0.5)).toEqual(base);
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/post-mix calibration was fitted for .* npm run calibrate:classifier:mix/);
  });

  it('says what is wrong when the model is missing or does not fit the heads', async () => {
    await expect(TransformersEncoder.load({ ...options, model: join(dir, 'nope') })).rejects.toThrow(
      /offline: it must be a local folder.*npm run models:build/,
    );
    const headsPath = join(dir, 'wide.json');
    new DenseHeads({ format: 'earshot-dense-heads/1', encoder: { name: 'other', dims: 384, pooling: 'mean', normalize: true }, heads: [], trainedOn: {} }).save(
      headsPath,
    );
    await expect(TransformersClassifier.load({ ...options, headsPath, linearPath: DEFAULT_LINEAR_MODEL, weight: 0.5 })).rejects.toThrow(
      /16-dimensional embeddings but the heads .* 384/,
    );
  });
});

describe('accurate tier on a text-classification model folder', () => {
  const SENTIMENT = join(dirname(fileURLToPath(import.meta.url)), '../test-fixtures/tiny-bert-sentiment');

  it('maps model labels to sentiment by name or position, and refuses others', () => {
    expect(sentimentLabelMap(['NEGATIVE', 'Neutral', 'positive'])).toEqual({ NEGATIVE: 'negative', Neutral: 'neutral', positive: 'positive' });
    expect(sentimentLabelMap(['LABEL_0', 'LABEL_1', 'LABEL_2'])).toEqual({ LABEL_0: 'negative', LABEL_1: 'neutral', LABEL_2: 'positive' });
    expect(() => sentimentLabelMap(['joy', 'anger'])).toThrow(/cannot read the labels/);
  });

  it('loads offline, averages its sentiment with the fast tier and keeps the other heads', async () => {
    const clf = await TextClassificationClassifier.load({ ...options, model: SENTIMENT, linearPath: DEFAULT_LINEAR_MODEL, weight: 0.5 });
    expect(clf.model.name).toBe('earshot-ensemble(tiny-bert-sentiment+earshot-linear-fast)');
    const [p] = await clf.probabilities(['terrible, the app crashed again']);
    const linear = LinearModel.load(DEFAULT_LINEAR_MODEL).predict('terrible, the app crashed again');
    // Half the fast tier, half the tiny model: never equal to the fast tier alone.
    expect(p!.sentiment!.negative).not.toBeCloseTo(linear.sentiment!.negative!, 3);
    expect(p!.complaint).toEqual(linear.complaint);
    const out = await clf.classify([{ text: 'terrible, the app crashed again' }, { text: '' }]);
    for (const e of out) expect(EnrichmentSchema.safeParse(e).success).toBe(true);
    expect(out[1]!.sentiment.label).toBe('neutral');
    await clf.close();
  });
});
