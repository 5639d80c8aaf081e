// The fast tier on its own thread (WorkerClassifier): TypeScript through tsx, as the CLI runs.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { LinearClassifier } = await import('./linear-classifier.ts');
const classifier = new LinearClassifier(workerData.path);
parentPort.on('message', async ({ id, mentions }) => {
  try {
    parentPort.postMessage({ id, enrichments: await classifier.classify(mentions) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err?.stack ?? err) });
  }
});
parentPort.postMessage({ ready: classifier.model });
