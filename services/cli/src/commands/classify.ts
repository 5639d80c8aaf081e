import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createClassifier } from '@earshot/classifier';
import { loadConfigOrExit } from '../config.js';
import { createProgress, fmt } from '../progress.js';

interface InputItem {
  text: string;
  title?: string;
  lang?: string;
  id?: unknown;
}

/** A line is JSON with a string `text` field, or else the text itself. */
export function parseLine(line: string): InputItem {
  if (line.startsWith('{')) {
    try {
      const v = JSON.parse(line) as Record<string, unknown>;
      if (v && typeof v.text === 'string') {
        return {
          text: v.text,
          ...(typeof v.title === 'string' ? { title: v.title } : {}),
          ...(typeof v.lang === 'string' ? { lang: v.lang } : {}),
          ...(v.id !== undefined ? { id: v.id } : {}),
        };
      }
    } catch {
      // Not JSON after all: classify the line as text.
    }
  }
  return { text: line };
}

/**
 * `earshot classify --input FILE --output FILE.jsonl [--tier fast|accurate]`: one
 * JSON object per input line, in order. Invalid UTF-8 is replaced, never fatal.
 */
export async function classifyCommand(opts: { input: string; output: string; tier?: string }): Promise<void> {
  const env = { ...process.env, ...(opts.tier ? { EARSHOT_CLASSIFIER_TIER: opts.tier } : {}) };
  const config = loadConfigOrExit(env);
  const total = (await stat(opts.input)).size;
  const classifier = await createClassifier(config);
  const progress = createProgress();
  const out = createWriteStream(opts.output);
  const input = createReadStream(opts.input);
  let bytes = 0;
  input.on('data', (c) => (bytes += c.length));
  const lines = createInterface({ input, crlfDelay: Infinity });
  const started = Date.now();
  let done = 0;
  let batch: InputItem[] = [];
  const flush = async () => {
    const results = await classifier.classify(batch);
    const text = results.map((r, i) => JSON.stringify({ ...(batch[i]!.id !== undefined ? { id: batch[i]!.id } : {}), ...r })).join('\n');
    if (!out.write(`${text}\n`)) await once(out, 'drain');
    done += batch.length;
    batch = [];
    const rate = done / Math.max(0.001, (Date.now() - started) / 1000);
    progress.update(`  ${fmt(done)} lines  ${((bytes / Math.max(1, total)) * 100).toFixed(0)}%  ${fmt(Math.round(rate))} mentions/s`);
  };
  try {
    for await (const line of lines) {
      batch.push(parseLine(line));
      if (batch.length >= 512) await flush();
    }
    if (batch.length) await flush();
  } finally {
    await classifier.close();
    out.end();
    await once(out, 'close');
  }
  progress.done(
    `Classified ${fmt(done)} lines with ${classifier.model.name} ${classifier.model.version} into ${opts.output} in ${((Date.now() - started) / 1000).toFixed(1)}s`,
  );
}
