import { replayFile } from '@earshot/ingest';
import { startRuntime } from '../runtime.js';
import { loadConfigOrExit } from '../config.js';
import { createProgress, fmt } from '../progress.js';

/**
 * `earshot replay FILE`: JSONL mentions through ingest. On Kafka only ingest runs here
 * (the other services consume elsewhere); embedded, the whole pipeline runs in this
 * process and the command returns once everything is stored.
 */
export async function replayCommand(file: string): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const embedded = !config.EARSHOT_KAFKA_BROKERS;
  const runtime = await startRuntime(config, { services: embedded ? ['ingest', 'classifier', 'writer'] : ['ingest'] });
  const progress = createProgress();
  try {
    const started = Date.now();
    const result = await replayFile(file, {
      ingestor: runtime.ingest!.ingestor,
      deadLetters: runtime.ingest!.deadLetters,
      onProgress: (p) =>
        progress.update(
          `  ${file}: ${((p.bytesRead / Math.max(1, p.totalBytes)) * 100).toFixed(0)}%  ${fmt(p.lines)} lines  ${fmt(p.accepted)} accepted  ${fmt(p.rejected)} rejected`,
        ),
    });
    if (embedded) {
      progress.update('  waiting for classifier and writer to store everything…', true);
      await runtime.drain(600_000);
    }
    const secs = (Date.now() - started) / 1000;
    progress.done(
      `Replayed ${file}: ${fmt(result.lines)} lines, ${fmt(result.accepted)} accepted, ${fmt(result.rejected)} rejected (reasons on the dead-letter topic) in ${secs.toFixed(1)}s`,
    );
  } finally {
    await runtime.stop();
  }
}
