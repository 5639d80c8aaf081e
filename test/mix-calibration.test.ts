import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetMissing } from '@earshot/shared';
import { describe, expect, it } from 'vitest';
import { readTextLabels } from '../services/classifier/scripts/datasets.js';
import { classDistribution, expectedCalibrationError, loadMeasuredAccurateTier } from '../services/classifier/scripts/evaluate.js';
import { HEADS } from '../services/classifier/src/linear/heads.js';
import { ACCURATE_ENSEMBLE_WEIGHT, DEFAULT_ENCODER, DEFAULT_HEADS } from '../services/classifier/src/create-classifier.js';
import type { DenseHeadsFile } from '../services/classifier/src/dense/heads.js';
import { DEFAULT_LINEAR_MODEL } from '../services/classifier/src/linear-classifier.js';
import { sha256File } from '../services/classifier/src/mix-calibration.js';

// The accurate tier's toxicity heads are rate-matched, and every head's confidence
// temperature-scaled, after the 0.7 / 0.3 mix with the linear model (scripts/calibrate-mix.ts);
// the calibration holds only for the shipped pair.
const shipped = JSON.parse(readFileSync(DEFAULT_HEADS, 'utf8')) as DenseHeadsFile;
// Needs npm run models:build (a fresh clone and CI have no encoder) and TweetEval's val split.
const built = existsSync(join(DEFAULT_ENCODER, 'onnx', 'model_quantized.onnx')) && datasetMissing('tweeteval') === null;

describe('post-mix calibration of the accurate tier', () => {
  it('the shipped heads carry shifts and temperatures fitted for the shipped linear model and mix weight', () => {
    expect(shipped.mix).toBeDefined();
    expect(shipped.mix!.weight).toBe(ACCURATE_ENSEMBLE_WEIGHT);
    // Retraining the fast tier into a different file makes this fail: rerun npm run calibrate:classifier:mix.
    expect(shipped.mix!.linearSha256).toBe(sha256File(DEFAULT_LINEAR_MODEL));
    expect(Object.keys(shipped.mix!.shift).sort()).toEqual(['hate', 'offensive']);
    expect(Object.keys(shipped.mix!.temperature ?? {}).sort()).toEqual(['emotion', 'hate', 'offensive', 'sentiment']);
  });

  // Needs npm run models:build (a fresh clone and CI have no encoder).
  it.skipIf(!built)(
    'with the built encoder, the accurate tier calls as many offensive val tweets offensive as there are',
    async () => {
      const clf = await loadMeasuredAccurateTier();
      const val = readTextLabels('tweeteval/offensive', 'val');
      const probs = await clf.probabilities(val.map((e) => e.text));
      await clf.close();
      const predicted = probs.filter((p) => p.offensive!.offensive! >= 0.5).length / val.length;
      const truth = val.filter((e) => e.label === 1).length / val.length;
      // Before the post-mix shift it called 27.2% (truth 34.7%).
      expect(Math.abs(predicted - truth)).toBeLessThan(0.015);
    },
    120_000,
  );

  it.skipIf(!built)(
    "with the built encoder, the accurate tier's emotion probabilities are on average as sure as they are right on val",
    async () => {
      const val = readTextLabels('tweeteval/emotion', 'val');
      const measure = async (mixCalibration: boolean) => {
        const clf = await loadMeasuredAccurateTier({ mixCalibration });
        const dist = (await clf.probabilities(val.map((e) => e.text))).map((p) => classDistribution(HEADS.emotion, p.emotion!));
        await clf.close();
        const top = dist.map((d) => d.indexOf(Math.max(...d)));
        const confidence = dist.reduce((a, d) => a + Math.max(...d), 0) / dist.length;
        const accuracy = top.filter((t, i) => t === val[i]!.label).length / dist.length;
        return {
          gap: confidence - accuracy,
          ece: expectedCalibrationError(
            dist,
            val.map((e) => e.label),
          ),
        };
      };
      // The plain mix is about 71% sure where it is 78% right. On 374 tweets the calibration
      // error's own noise is a few points (bootstrap 5-95%: 4.3-8.5 calibrated), so the check
      // is the average gap, and the error falling.
      const [plain, calibrated] = [await measure(false), await measure(true)];
      expect(plain.gap).toBeLessThan(-0.05);
      expect(Math.abs(calibrated.gap)).toBeLessThan(0.02);
      expect(calibrated.ece).toBeLessThan(plain.ece - 0.015);
    },
    120_000,
  );
});
