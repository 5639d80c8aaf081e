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

  it('with a route, sends the routed mentions of a batch too large for the accurate tier, and none under a backlog of routed ones', async () => {
    const { accurate, fast } = await tiers();
    // A service clock the test moves: the accurate tier is made to cost 10 ms a mention.
    let t = 0;
    const slow = {
      model: accurate.model,
      classify: async (m: { text: string }[]) => ((t += 10 * m.length), accurate.classify(m)),
      close: () => accurate.close(),
    };
    const clf = new AdaptiveClassifier({ accurate: slow, fast, now: () => t, minBudgetMs: 100, route: (text) => text.includes('switching') });
    expect(new Set((await clf.classify(batch(2))).map((e) => e.model.name))).toEqual(new Set([accurate.model.name]));

    // 100 mentions would take 1,000 ms, over the 100 ms budget; the 3 routed ones take 30 ms.
    const mixed = batch(100).map((m, i) => (i % 40 === 0 ? { text: `I'm switching to another shop, order ${i} is late` } : m));
    const out = await clf.classify(mixed);
    expect(out.map((e, i) => (e.model.name === accurate.model.name ? i : -1)).filter((i) => i >= 0)).toEqual([0, 40, 80]);
    expect(out.filter((e) => e.model.name === fast.model.name)).toHaveLength(97);

    // Every mention routed: 1,000 ms again, so all stay with the fast tier.
    const all = await clf.classify(batch(100).map((m) => ({ text: `switching: ${m.text}` })));
    expect(new Set(all.map((e) => e.model.name))).toEqual(new Set([fast.model.name]));
    await clf.close();
  });

  it('with a share, gives the accurate tier no more than that share of the wall time, beyond a second saved up', async () => {
    const { accurate, fast } = await tiers();
    let t = 0;
    const slow = {
      model: accurate.model,
      classify: async (m: { text: string }[]) => ((t += 10 * m.length), accurate.classify(m)),
      close: () => accurate.close(),
    };
    // Keeping up is never the limit here (a 10 s budget): only the share is.
    const clf = new AdaptiveClassifier({ accurate: slow, fast, now: () => t, minBudgetMs: 10_000, share: 0.1 });
    const tier = async (n: number) => [...new Set((await clf.classify(batch(n))).map((e) => (e.model.name === accurate.model.name ? 'accurate' : 'fast')))];
    await clf.measure(['one', 'two']); // 20 ms of the 1,000 saved up
    expect(await tier(60)).toEqual(['accurate']); // 600 ms, 380 left
    expect(await tier(60)).toEqual(['fast']); // those 600 ms earned 60: 440, short of 600
    t += 2000; // two seconds at a tenth earn 200 ms: 640
    expect(await tier(60)).toEqual(['accurate']);
    await clf.close();
  });

  it('names both tiers in its own model name', async () => {
    const { accurate, fast } = await tiers();
    const clf = new AdaptiveClassifier({ accurate, fast, now: () => performance.now(), minBudgetMs: 100 });
    expect(clf.model.name).toBe(`adaptive(${accurate.model.name}|${fast.model.name})`);
    await clf.close();
  });
});
