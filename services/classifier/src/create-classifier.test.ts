import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@earshot/shared';
import { DEFAULT_ENCODER, createClassifier } from './create-classifier.js';
import { multilingualEncoderBuilt } from './multilingual-tier.js';

describe('createClassifier', () => {
  it('the fast tier needs nothing built', async () => {
    const c = await createClassifier(loadConfig({ EARSHOT_CLASSIFIER_TIER: 'fast' }));
    const [e] = await c.classify([{ text: 'the app keeps crashing, refund me' }]);
    expect(e!.sentiment.label).toBe('negative');
  });

  const built = existsSync(join(DEFAULT_ENCODER, 'onnx', 'model_quantized.onnx'));

  it.skipIf(!built)('the default tier is adaptive: with the encoder built, a mention that fits its budget is read by the encoder', async () => {
    const c = await createClassifier(loadConfig({}));
    expect(c.model.name).toMatch(/^adaptive\(earshot-ensemble\(.*\|earshot-linear-fast\)$/);
    const [e] = await c.classify([{ text: 'I love how I have to call three times to fix one bill' }]);
    expect(e!.model.name).toMatch(/^earshot-ensemble\(/);
    expect(e!.sentiment.label).toBe('negative');
    await c.close();
  });

  it.skipIf(built)('the default tier is the fast tier alone until the encoder is built', async () => {
    const c = await createClassifier(loadConfig({}));
    expect(c.model.name).toBe('earshot-linear-fast');
    expect((await c.classify([{ text: 'I love how I have to call three times to fix one bill' }]))[0]!.model.name).toBe('earshot-linear-fast');
    await c.close();
  });

  it('reads EARSHOT_CLASSIFIER_MULTILINGUAL as auto unless told', () => {
    expect(loadConfig({}).EARSHOT_CLASSIFIER_MULTILINGUAL).toBe('auto');
    expect(loadConfig({ EARSHOT_CLASSIFIER_MULTILINGUAL: '1' }).EARSHOT_CLASSIFIER_MULTILINGUAL).toBe(true);
    expect(loadConfig({ EARSHOT_CLASSIFIER_MULTILINGUAL: 'false' }).EARSHOT_CLASSIFIER_MULTILINGUAL).toBe(false);
    expect(() => loadConfig({ EARSHOT_CLASSIFIER_MULTILINGUAL: 'yes' })).toThrow(/EARSHOT_CLASSIFIER_MULTILINGUAL/);
  });

  // After `npm run models:build` (both encoders): a French complaint goes to the multilingual encoder unless it is turned off.
  it.skipIf(!built || !multilingualEncoderBuilt())('the accurate tier reads other languages with the multilingual encoder once it is built', async () => {
    const byDefault = await createClassifier(loadConfig({ EARSHOT_CLASSIFIER_TIER: 'accurate' }));
    const off = await createClassifier(loadConfig({ EARSHOT_CLASSIFIER_TIER: 'accurate', EARSHOT_CLASSIFIER_MULTILINGUAL: '0' }));
    expect(byDefault.model.name).toMatch(/e5-multilingual/);
    expect(off.model.name).not.toMatch(/e5-multilingual/);
    const text = "Impossible de payer sur l'appli depuis ce matin, c'est vraiment nul";
    const [ml] = await byDefault.classify([{ text }]);
    expect(ml!.sentiment.label).toBe('negative');
    await Promise.all([byDefault.close(), off.close()]);
  });

  // A fresh clone (and CI) has no built encoder; a checkout that ran models:build has one.
  it.skipIf(existsSync(join(DEFAULT_ENCODER, 'onnx', 'model_quantized.onnx')))(
    'the accurate tier without its built encoder says how to build it, and builds nothing',
    async () => {
      await expect(createClassifier(loadConfig({ EARSHOT_CLASSIFIER_TIER: 'accurate' }))).rejects.toThrow(/npm run models:build/);
      expect(existsSync(join(DEFAULT_ENCODER, 'onnx'))).toBe(false);
    },
  );
});
