import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { AdaptiveClassifier } from './adaptive-classifier.js';
import { DEFAULT_LINEAR_MODEL, LinearClassifier } from './linear-classifier.js';
import { TransformersClassifier } from './transformers-classifier.js';
import { saveTinySentimentHeads } from './test-support/tiny-heads.js';

/** Both real tiers: the accurate one on the tiny BERT the project builds, the shipped fast model. */
const TINY = join(dirname(fileURLToPath(import.meta.url)), '../test-fixtures/tiny-bert');
const dir = mkdtempSync(join(tmpdir(), 'adaptive-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tiers() {
  const options = { model: TINY, offline: true, dtype: 'fp32' as const, threads: 1, batchSize: 16 };
  const headsPath = await saveTinySentimentHeads({
    options,
    dir,
    texts: ['love it', 'awful', 'the app'],
    labels: [2, 0, 1],
    epochs: 50,
    languages: ['en', 'und'],
  });
  const accurate = await TransformersClassifier.load({ ...options, headsPath, linearPath: DEFAULT_LINEAR_MODEL, weight: 0.7 });
  return { accurate, fast: new LinearClassifier(DEFAULT_LINEAR_MODEL) };
}

const batch = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `order ${i} arrived broken, refund please` }));

describe('adaptive tier', () => {
  it('uses the accurate tier while it keeps up, the fast tier for a backlog, and the accurate tier again once it drains', async () => {
    const { accurate, fast } = await tiers();
    const clf = new AdaptiveClassifier({ accurate, fast, now: () => performance.now(), minBudgetMs: 0 });
    const models = async (n: number) => [...new Set((await clf.classify(batch(n))).map((e) => e.model.name))];

    // First batch: nothing measured yet, the accurate tier.
    expect(await models(8)).toEqual([accurate.model.name]);
    // A backlog: a large batch straight after the last, far more than the accurate tier can do in the time since.
    expect(await models(3000)).toEqual([fast.model.name]);
    // The stream is quiet again: a small batch after a pause fits the accurate tier's measured cost.
    await sleep(200);
    expect(await models(2)).toEqual([accurate.model.name]);
    await clf.close();
  });

  it('names both tiers in its own model name', async () => {
    const { accurate, fast } = await tiers();
    const clf = new AdaptiveClassifier({ accurate, fast, now: () => performance.now(), minBudgetMs: 100 });
    expect(clf.model.name).toBe(`adaptive(${accurate.model.name}|${fast.model.name})`);
    await clf.close();
  });
});
