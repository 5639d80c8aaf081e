import { Worker } from 'node:worker_threads';
import type { Enrichment } from '@earshot/shared';
import type { MentionClassifier } from './classifier.js';
import { DEFAULT_LINEAR_MODEL } from './linear-classifier.js';

type Model = { name: string; version: string };
type Reply = { ready: Model } | { id: number; enrichments: Enrichment[] } | { id: number; error: string };

/** A started classifier thread and the model it loaded. */
interface Thread {
  worker: Worker;
  model: Model;
}

/**
 * The fast tier on a thread of its own. In one process (the embedded default) the
 * classifier shares the main thread with ingest, the bus and the writer, while the
 * machine's other core runs only ClickHouse: on its own thread the model runs beside them.
 * Same model, same results; each batch gets its own answer. A thread that dies fails the
 * batches it held (the bus delivers them again) and the next batch starts a new one.
 */
export class WorkerClassifier implements MentionClassifier {
  readonly model: Model;
  private next = 0;
  private readonly waiting = new Map<number, { resolve(e: Enrichment[]): void; reject(err: Error): void }>();
  /** The thread answering now, or the one starting; null after one died, until the next batch. */
  private thread: Promise<Thread> | null;
  private closed = false;

  private constructor(
    private readonly path: string,
    first: Thread,
  ) {
    this.model = first.model;
    this.thread = Promise.resolve(first);
    this.watch(this.thread, first.worker);
  }

  static async start(path = DEFAULT_LINEAR_MODEL): Promise<WorkerClassifier> {
    return new WorkerClassifier(path, await spawn(path));
  }

  async classify(mentions: { text: string; title?: string; lang?: string }[]): Promise<Enrichment[]> {
    if (this.closed) throw new Error('the classifier is closed');
    if (!this.thread) {
      const starting = spawn(this.path);
      this.thread = starting;
      starting.then(
        (t) => this.watch(starting, t.worker),
        () => this.thread === starting && (this.thread = null),
      );
    }
    const { worker } = await this.thread;
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // Only what the model reads crosses to the thread.
      worker.postMessage({ id, mentions: mentions.map((m) => ({ text: m.text, title: m.title, lang: m.lang })) });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const thread = await this.thread?.catch(() => null);
    thread?.worker.removeAllListeners();
    await thread?.worker.terminate();
  }

  private watch(thread: Promise<Thread>, worker: Worker): void {
    worker.on('message', (reply: Exclude<Reply, { ready: Model }>) => {
      const w = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if ('error' in reply) w?.reject(new Error(`classifier thread: ${reply.error}`));
      else w?.resolve(reply.enrichments);
    });
    let dead = false;
    const died = (err: Error) => {
      if (dead) return;
      dead = true;
      if (this.thread === thread) this.thread = null;
      // One thread at a time answers, so what is waiting was this one's.
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.once('error', died);
    worker.once('exit', (code) => died(new Error(`the classifier thread exited (code ${code})`)));
  }
}

async function spawn(path: string): Promise<Thread> {
  const worker = new Worker(new URL('./classifier-worker.mjs', import.meta.url), { workerData: { path } });
  // Never what keeps a process alive: the services' own work does that, and a process that is done may end.
  worker.unref();
  const model = await new Promise<Model>((resolve, reject) => {
    const ready = (m: Reply) => (done(), 'ready' in m ? resolve(m.ready) : reject(new Error('the classifier thread answered before it was ready')));
    const failed = (err: Error) => (done(), reject(err));
    const exited = (code: number) => (done(), reject(new Error(`the classifier thread exited while loading (code ${code})`)));
    const done = () => {
      worker.off('message', ready);
      worker.off('error', failed);
      worker.off('exit', exited);
    };
    worker.on('message', ready);
    worker.on('error', failed);
    worker.on('exit', exited);
  });
  return { worker, model };
}
