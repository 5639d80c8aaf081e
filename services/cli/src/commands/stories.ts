import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  STORY_ENCODER_HOW,
  encoderStoryEmbedding,
  staticStoryEmbedding,
  storiesOfTexts,
  storyEncoderBuilt,
  type StoryEmbedding,
  type StoryEmbeddingKind,
} from '@earshot/classifier';
import { createProgress, fmt } from '../progress.js';
import { UsageError } from '../usage-error.js';
import { parseLine } from './classify.js';

/**
 * The encoder when it is built (NMI 81.8 against 66.7 on Banking77's tune half), else the
 * static embedding; either way stderr says which, and how to get the encoder.
 */
async function chooseEmbedding(asked: StoryEmbeddingKind | undefined, say: (line: string) => void): Promise<StoryEmbedding> {
  const built = storyEncoderBuilt();
  if (asked === 'encoder' && !built) throw new UsageError(`--embedding encoder: the stories encoder is not built; \`${STORY_ENCODER_HOW}\` builds it`);
  if (asked === 'static' || !built) {
    const e = staticStoryEmbedding();
    say(
      asked === 'static'
        ? `Stories with the ${e.describe}, as asked`
        : `Stories with the ${e.describe}: the encoder, which finds them better, is not built (\`${STORY_ENCODER_HOW}\`, then this again)`,
    );
    return e;
  }
  const e = await encoderStoryEmbedding();
  say(`Stories with the ${e.describe}${asked ? '' : '; --embedding static is faster and coarser'}`);
  return e;
}

/**
 * `earshot stories --input FILE --output OUT.jsonl [--embedding encoder|static]`: the
 * stream's story clustering over one text (or JSON with a `text` field) per line, taken
 * in order; one JSON object per line out, in order, with `story` (an id) and `label`.
 * The number of stories is found, never given. Texts are read whole first, so each
 * settles in its nearest final story.
 */
export async function storiesCommand(opts: { input: string; output: string; embedding?: StoryEmbeddingKind }): Promise<void> {
  const started = Date.now();
  const progress = createProgress();
  const items: { text: string; id?: unknown }[] = [];
  for await (const line of createInterface({ input: createReadStream(opts.input), crlfDelay: Infinity })) items.push(parseLine(line));
  progress.update(`  ${fmt(items.length)} texts read`);
  const embedding = await chooseEmbedding(opts.embedding, (line) => progress.done(line));
  const texts = items.map((i) => i.text);
  let vecs: Float32Array[];
  try {
    vecs = await embedding.embedAll(texts, (done) => progress.update(`  ${fmt(done)} of ${fmt(texts.length)} texts embedded`));
  } finally {
    await embedding.dispose();
  }
  const stories = storiesOfTexts(texts, (_, i) => vecs[i]!, embedding.options, true);
  const lines = stories.map((s, i) => JSON.stringify({ ...(items[i]!.id !== undefined ? { id: items[i]!.id } : {}), ...s }));
  writeFileSync(opts.output, lines.length ? `${lines.join('\n')}\n` : '');
  const count = new Set(stories.map((s) => s.story)).size;
  progress.done(`Found ${fmt(count)} stories in ${fmt(items.length)} texts into ${opts.output} in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}
