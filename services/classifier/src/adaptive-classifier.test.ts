import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
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

/** The process's CPU and the host's idle time as this machine reports them (for the tests on the real clock). */
const processCpu = () => (process.cpuUsage().user + process.cpuUsage().system) / 1000;
const hostIdle = () => cpus().reduce((sum, c) => sum + c.times.idle, 0);
const realClocks = { now: () => performance.now(), cpu: processCpu, idle: hostIdle, cores: cpus().length };

/**
 * Clocks the test moves, and an accurate tier that costs `wallMs` and `cpuMs` a mention on
 * them (the fast tier's reading under the accurate tier's name: these tests are about
 * which tier reads what, not what it says). `calls` records each call's size.
 */
function fakeAccurate(fast: LinearClassifier, cost: { wallMs: number; cpuMs: number }) {
  const clock = { t: 0, cpu: 0, idle: 0 };
  const calls: number[] = [];
  const model = { name: 'accurate-stand-in', version: '1' };
  const accurate = {
    model,
    classify: async (m: { text: string }[]) => {
      calls.push(m.length);
      clock.t += cost.wallMs * m.length;
      clock.cpu += cost.cpuMs * m.length;
      return (await fast.classify(m)).map((e) => ({ ...e, model }));
    },
    close: async () => {},
  };
  const clocks = { now: () => clock.t, cpu: () => clock.cpu, idle: () => clock.idle, cores: 2 };
  return { clock, calls, accurate, clocks, read: (out: { model: { name: string } }[]) => out.filter((e) => e.model.name === model.name).length };
}

describe('adaptive tier', () => {
  it('uses the accurate tier while it keeps up, the fast tier for a backlog, and the accurate tier again once it drains', async () => {
    const { accurate, fast } = await tiers();
    const clf = new AdaptiveClassifier({ accurate, fast, ...realClocks, minBudgetMs: 0 });
    const models = async (n: number) => [...new Set((await clf.classify(batch(n))).map((e) => e.model.name))];

    // First batch: nothing measured yet, the accurate tier.
    expect(await models(8)).toEqual([accurate.model.name]);
    // A backlog: a large batch straight after the last, far more than the accurate tier can do in the time since
    // or the second saved up at start (even at 0.1 ms a mention).
    expect(await models(20_000)).toEqual([fast.model.name]);
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
    const clf = new AdaptiveClassifier({
      accurate: slow,
      fast,
      now: () => t,
      cpu: () => 0,
      idle: () => 0,
      cores: 2,
      minBudgetMs: 100,
      route: (text) => text.includes('switching'),
    });
    expect(new Set((await clf.classify(batch(2))).map((e) => e.model.name))).toEqual(new Set([accurate.model.name]));

    // 200 mentions would take 2,000 ms, more than the second saved up while the process was quiet; the 5 routed ones take 50 ms.
    const mixed = batch(200).map((m, i) => (i % 40 === 0 ? { text: `I'm switching to another shop, order ${i} is late` } : m));
    const out = await clf.classify(mixed);
    expect(out.map((e, i) => (e.model.name === accurate.model.name ? i : -1)).filter((i) => i >= 0)).toEqual([0, 40, 80, 120, 160]);
    expect(out.filter((e) => e.model.name === fast.model.name)).toHaveLength(195);

    // Every mention routed: 2,000 ms again, so all stay with the fast tier.
    const all = await clf.classify(batch(200).map((m) => ({ text: `switching: ${m.text}` })));
    expect(new Set(all.map((e) => e.model.name))).toEqual(new Set([fast.model.name]));
    await clf.close();
  });

  it("on a busy host, gives the accurate tier no more CPU (every thread of it) than its share of the process's, ten seconds of it saved up", async () => {
    const fast = new LinearClassifier(DEFAULT_LINEAR_MODEL);
    // Two threads: each mention takes 2 ms of wall time and 4 ms of CPU. The host has no idle time.
    const f = fakeAccurate(fast, { wallMs: 2, cpuMs: 4 });
    const clf = new AdaptiveClassifier({ accurate: f.accurate, fast, ...f.clocks, minBudgetMs: 100, share: 0.02 });
    await clf.measure(['one', 'two']);
    const atStart = f.clock.cpu;
    let read = 0;
    // A minute of batches of 10, every 100 ms: keeping up is never the limit (20 ms of 100), the share is.
    for (let i = 0; i < 600; i++) {
      f.clock.t += 100;
      f.clock.cpu += 150; // the rest of the pipeline keeps the cores busy
      read += f.read(await clf.classify(batch(10)));
    }
    // 0.02 of the process's CPU, with 400 ms saved up at start (0.02 of ten seconds of two cores): about 560 mentions.
    // Charged by its wall time (2 ms a mention), it would have read twice as many.
    const allowed = 0.02 * (f.clock.cpu - atStart) + 400;
    expect(read * 4).toBeLessThanOrEqual(allowed + 40);
    expect(read * 4).toBeGreaterThan(allowed - 80);
    await clf.close();
  });

  it('on an idle host, reads a live stream wholly with the accurate tier, and goes back to the share when the host is busy', async () => {
    const fast = new LinearClassifier(DEFAULT_LINEAR_MODEL);
    const f = fakeAccurate(fast, { wallMs: 2, cpuMs: 4 });
    const clf = new AdaptiveClassifier({ accurate: f.accurate, fast, ...f.clocks, minBudgetMs: 100, share: 0.02 });
    await clf.measure(['one', 'two']);
    const minute = async (idle: boolean) => {
      let read = 0;
      // 200 mentions a second: batches of 20 every 100 ms; the rest of the pipeline takes 20 ms of CPU in each,
      // and what neither takes of the two cores is idle (unless something else keeps the host busy).
      for (let i = 0; i < 600; i++) {
        const before = f.clock.cpu;
        read += f.read(await clf.classify(batch(20)));
        f.clock.t += 100;
        f.clock.cpu += 20;
        if (idle) f.clock.idle += Math.max(0, 200 - (f.clock.cpu - before));
      }
      return read;
    };
    expect(await minute(true)).toBe(600 * 20);
    // The same stream on a host something else keeps busy: the share again, a few batches of the 600.
    const busy = await minute(false);
    expect(busy).toBeGreaterThan(0);
    expect(busy).toBeLessThanOrEqual(300);
    await clf.close();
  });

  it('reads the batches of partitions that arrive together in one accurate-tier call, each given its own results', async () => {
    const fast = new LinearClassifier(DEFAULT_LINEAR_MODEL);
    const f = fakeAccurate(fast, { wallMs: 1, cpuMs: 1 });
    const clf = new AdaptiveClassifier({ accurate: f.accurate, fast, ...f.clocks, minBudgetMs: 100 });
    const texts = [['a refund please'], ['love the new app', 'where is my parcel'], ['the store opens at nine']];
    const outs = await Promise.all(texts.map((t) => clf.classify(t.map((text) => ({ text })))));
    // The first batch went at once; the two that came while it ran went together.
    expect(f.calls).toEqual([1, 3]);
    expect(outs.map((o) => o.length)).toEqual([1, 2, 1]);
    const alone = await Promise.all(texts.map((t) => fast.classify(t.map((text) => ({ text })))));
    expect(outs.map((o) => o.map((e) => e.sentiment))).toEqual(alone.map((o) => o.map((e) => e.sentiment)));
    await clf.close();
  });

  it('names both tiers in its own model name', async () => {
    const { accurate, fast } = await tiers();
    const clf = new AdaptiveClassifier({ accurate, fast, ...realClocks, minBudgetMs: 100 });
    expect(clf.model.name).toBe(`adaptive(${accurate.model.name}|${fast.model.name})`);
    await clf.close();
  });
});
