import { afterAll, describe, expect, it } from 'vitest';
import { EnrichmentSchema } from '@earshot/shared';
import { LinearClassifier } from './linear-classifier.js';
import { WorkerClassifier } from './worker-classifier.js';

/** The fast tier on its own thread (EARSHOT_CLASSIFIER_OWN_THREAD, the default) must be the fast tier, answer for answer. */
describe('WorkerClassifier', () => {
  const texts = [
    '@AcmeMobile why is my internet down again?? Third outage this week, fix it',
    'How do I reset the billing page on Initech Cloud?',
    'Love the new app, the team did an amazing job!',
    'Das ist wirklich eine Katastrophe, ich bin sehr enttäuscht vom Kundendienst',
    '',
    '😡😡😡',
    'x'.repeat(100_000),
  ];
  let worker: WorkerClassifier | undefined;
  afterAll(async () => worker?.close());

  it('gives the same enrichments as the fast tier on the main thread, for each batch in its own order', async () => {
    worker = await WorkerClassifier.start();
    const direct = new LinearClassifier();
    expect(worker.model).toEqual(direct.model);
    const batches = [texts, [...texts].reverse(), texts.slice(2, 4)].map((b) => b.map((text) => ({ text })));
    // Sent together: each answer must come back to its own batch.
    const answers = await Promise.all(batches.map((b) => worker!.classify(b)));
    for (const [i, b] of batches.entries()) {
      expect(answers[i]).toHaveLength(b.length);
      expect(answers[i]).toEqual(await direct.classify(b));
      for (const e of answers[i]!) expect(EnrichmentSchema.safeParse(e).success).toBe(true);
    }
    expect(answers[0]![0]!.intents.map((x) => x.label)).toContain('complaint');
  });

  it('refuses work once closed, instead of leaving it unanswered', async () => {
    const closing = await WorkerClassifier.start();
    await closing.close();
    await expect(closing.classify([{ text: 'still there?' }])).rejects.toThrow(/closed/);
  });

  it('fails the batch a dying thread held, and classifies the next one on a new thread', async () => {
    const c = await WorkerClassifier.start();
    try {
      const held = c.classify([{ text: 'the app keeps crashing' }]);
      // The thread dies under the batch (out of memory, a native fault): reached through the instance, as nothing else can.
      const { worker } = await (c as unknown as { thread: Promise<{ worker: import('node:worker_threads').Worker }> }).thread;
      await worker.terminate();
      await expect(held).rejects.toThrow(/exited/);
      const [e] = await c.classify([{ text: 'the app keeps crashing, refund me' }]);
      expect(e!.sentiment.label).toBe('negative');
    } finally {
      await c.close();
    }
  });
});
