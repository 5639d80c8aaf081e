import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { DEFAULT_STORY_EMBEDDING, DEFAULT_STORY_OPTIONS, StaticEmbedding, storiesOfTexts } from '@earshot/classifier';
import { createProgress, fmt } from '../progress.js';
import { parseLine } from './classify.js';

/**
 * `earshot stories --input FILE --output OUT.jsonl`: the stream's story clustering over
 * one text (or JSON with a `text` field) per line, taken in order; one JSON object per
 * line out, in order, with `story` (an id) and `label`. The number of stories is found,
 * never given. Texts are read whole first, so each settles in its nearest final story.
 */
export async function storiesCommand(opts: { input: string; output: string }): Promise<void> {
  const started = Date.now();
  const progress = createProgress();
  const items: { text: string; id?: unknown }[] = [];
  for await (const line of createInterface({ input: createReadStream(opts.input), crlfDelay: Infinity })) items.push(parseLine(line));
  progress.update(`  ${fmt(items.length)} texts read`);
  const embedding = StaticEmbedding.load(DEFAULT_STORY_EMBEDDING);
  const stories = storiesOfTexts(
    items.map((i) => i.text),
    (t) => embedding.embed(t),
    DEFAULT_STORY_OPTIONS,
    true,
  );
  const lines = stories.map((s, i) => JSON.stringify({ ...(items[i]!.id !== undefined ? { id: items[i]!.id } : {}), ...s }));
  writeFileSync(opts.output, lines.length ? `${lines.join('\n')}\n` : '');
  const count = new Set(stories.map((s) => s.story)).size;
  progress.done(`Found ${fmt(count)} stories in ${fmt(items.length)} texts into ${opts.output} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
