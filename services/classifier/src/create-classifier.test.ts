import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@earshot/shared';
import { DEFAULT_ENCODER, createClassifier } from './create-classifier.js';

describe('createClassifier', () => {
  it('the fast tier needs nothing built', async () => {
    const c = await createClassifier(loadConfig({ EARSHOT_CLASSIFIER_TIER: 'fast' }));
    const [e] = await c.classify([{ text: 'the app keeps crashing, refund me' }]);
    expect(e!.sentiment.label).toBe('negative');
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
