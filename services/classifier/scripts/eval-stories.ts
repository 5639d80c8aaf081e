// npm run eval:stories: the stories' clustering scored against human groups, with the
// number of groups never given, for each embedding (the static one, shipped, and the base
// encoder when `npm run models:build:stories` has built it). Banking77 (10,003
// bank-customer messages, 77 issues) is scored whole and in its two halves: the options
// were chosen on the "tune" half (the issues at even places in alphabetical order) and
// are checked on the "held" half; the complaint tweets' five brand domains are a second,
// coarser check nobody tuned on. Each set is taken as one batch (file order, every text
// settled in its final story) and as a stream in a seeded random order (each text's story
// as first given, after merges).
import {
  DEFAULT_STORY_ENCODER,
  STORY_ENCODER_HOW,
  encoderStoryEmbedding,
  scoreClusters,
  staticStoryEmbedding,
  storiesOfTexts,
  storyEncoderBuilt,
  type StoryEmbedding,
} from '../src/stories/index.js';
import { csvRows } from './datasets.js';

interface Grouped {
  name: string;
  texts: string[];
  groups: string[];
}

function sets(): Grouped[] {
  const bank = csvRows('stories/banking77_train.csv');
  const issues = [...new Set(bank.map((r) => r.category!))].sort();
  const half = (even: boolean) => bank.filter((r) => issues.indexOf(r.category!) % 2 === (even ? 0 : 1));
  const grouped = (name: string, rows: Record<string, string>[], by: string) => ({ name, texts: rows.map((r) => r.text!), groups: rows.map((r) => r[by]!) });
  const complaints = csvRows('complaints/dev.csv').filter((r) => !r.domain!.startsWith('random'));
  return [
    grouped('banking77 (all 77 issues)', bank, 'category'),
    grouped('banking77 tune half (chose the options)', half(true), 'category'),
    grouped('banking77 held half (not tuned on)', half(false), 'category'),
    grouped('complaint tweets, 5 brand domains', complaints, 'domain'),
  ];
}

/** A seeded Fisher-Yates order (LCG), the same on every run. */
function shuffled(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

const pct = (x: number) => (x * 100).toFixed(1).padStart(5);

/** Every set's texts embedded once, then scored in both modes. */
async function evaluate(embedding: StoryEmbedding, all: Grouped[]): Promise<void> {
  const o = embedding.options;
  // The halves repeat the whole set's texts: each distinct text is embedded once.
  const texts = [...new Set(all.flatMap((set) => set.texts))];
  const started = performance.now();
  const vecs = await embedding.embedAll(texts, (done) => {
    if (done === texts.length || done % 2048 < 64) process.stderr.write(`  ${done} of ${texts.length} texts embedded\n`);
  });
  const perText = (performance.now() - started) / texts.length;
  console.log(
    `\nstories: ${embedding.describe}, ${(perText * 1000).toFixed(0)} µs a text to embed; join ${o.join}, merge ${o.merge} every ${o.mergeEvery}, at most ${o.maxLive} live`,
  );
  console.log(`${'set'.padEnd(42)} ${'mode'.padEnd(7)}   NMI   acc   ARI  stories groups`);
  const byText = new Map(texts.map((t, i) => [t, vecs[i]!]));
  for (const set of all) {
    const order = shuffled(set.texts.length, 77);
    for (const mode of ['batch', 'stream'] as const) {
      const idx = mode === 'batch' ? set.texts.map((_, i) => i) : order;
      const out = storiesOfTexts(
        idx.map((i) => set.texts[i]!),
        (t) => byText.get(t)!,
        o,
        mode === 'batch',
      );
      const s = scoreClusters(
        out.map((x) => x.story),
        idx.map((i) => set.groups[i]!),
      );
      console.log(
        `${set.name.padEnd(42)} ${mode.padEnd(7)} ${pct(s.nmi)} ${pct(s.accuracy)} ${pct(s.ari)} ${String(s.clusters).padStart(8)} ${String(s.groups).padStart(6)}`,
      );
    }
  }
  await embedding.dispose();
}

// EARSHOT_STORIES_ENCODER scores another encoder folder (the accurate tier's, to compare).
const encoder = process.env.EARSHOT_STORIES_ENCODER ?? DEFAULT_STORY_ENCODER;
const all = sets();
await evaluate(staticStoryEmbedding(), all);
if (storyEncoderBuilt(encoder)) await evaluate(await encoderStoryEmbedding(encoder), all);
else console.log(`\nstories: the encoder is not built, so only the static embedding was scored (\`${STORY_ENCODER_HOW}\` builds it)`);
