import { Worker } from 'node:worker_threads';
import type { Enrichment } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { DEFAULT_LINEAR_MODEL } from './linear-classifier.js';

type Reply = { ready: { name: string; version: string } } | { id: number; enrichments: Enrichment[] } | { id: number; error: string };

/**
 * The fast tier on a thread of its own. In one process (the embedded default) the
 * classifier shares the main thread with ingest, the bus and the writer, while the
 * machine's other core runs only ClickHouse: on its own thread the model runs beside them.
 * Same model, same results; batches are answered in order.
 */
export class WorkerClassifier implements MentionClassifier {
  private next = 0;
  private readonly waiting = new Map<number, { resolve(e: Enrichment[]): void; reject(err: Error): void }>();
  private failure: Error | null = null;

  private constructor(
    private readonly worker: Worker,
    readonly model: { name: string; version: string },
  ) {
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) return;
      const w = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if ('error' in reply) w?.reject(new Error(`classifier thread: ${reply.error}`));
      else w?.resolve(reply.enrichments);
    });
    const fail = (err: Error) => {
      this.failure = err;
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the classifier thread exited (code ${code})`)));
  }

  static async start(path = DEFAULT_LINEAR_MODEL): Promise<WorkerClassifier> {
    const worker = new Worker(new URL('./classifier-worker.mjs', import.meta.url), { workerData: { path } });
    const model = await new Promise<{ name: string; version: string }>((resolve, reject) => {
      worker.once('message', (m: Reply) => ('ready' in m ? resolve(m.ready) : reject(new Error('the classifier thread answered before it was ready'))));
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the classifier thread exited while loading (code ${code})`)));
    });
    // Never what keeps a process alive: the services' own work does that, and a process that is done may end.
    worker.unref();
    return new WorkerClassifier(worker, model);
  }

  classify(mentions: { text: string; title?: string; lang?: string }[]): Promise<Enrichment[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Only what the model reads crosses to the thread.
      this.worker.postMessage({ id, mentions: mentions.map((m) => ({ text: m.text, title: m.title, lang: m.lang })) });
    });
  }

  async close(): Promise<void> {
    if (this.failure) return;
    this.failure = new Error('the classifier is closed');
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}
