// npm run eval:stories: the stories' clustering scored against human groups, with the
// number of groups never given. Banking77 (10,003 bank-customer messages, 77 issues) is
// scored whole and in its two halves: the options were chosen on the "tune" half (the
// issues at even places in alphabetical order) and are checked on the "held" half; the
// complaint tweets' five brand domains are a second, coarser check nobody tuned on.
// Each set is taken as one batch (file order, every text settled in its final story) and
// as a stream in a seeded random order (each text's story as first given, after merges).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '@earshot/shared';
import { DEFAULT_STORY_EMBEDDING, DEFAULT_STORY_OPTIONS, StaticEmbedding, scoreClusters, storiesOfTexts } from '../src/stories/index.js';
import { DATASETS } from './datasets.js';

interface Grouped {
  name: string;
  texts: string[];
  groups: string[];
}

function csvRows(file: string): Record<string, string>[] {
  const [head, ...rows] = parseCsv(readFileSync(join(DATASETS, file), 'utf8'));
  return rows.filter((r) => r.length === head!.length).map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i]!])));
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

const embedding = StaticEmbedding.load(DEFAULT_STORY_EMBEDDING);
const embed = (t: string) => embedding.embed(t);
const pct = (x: number) => (x * 100).toFixed(1).padStart(5);
const o = DEFAULT_STORY_OPTIONS;
console.log(`stories: static embedding, ${embedding.dims} dims; join ${o.join}, merge ${o.merge} every ${o.mergeEvery}, at most ${o.maxLive} live`);
console.log(`${'set'.padEnd(42)} ${'mode'.padEnd(7)}   NMI   acc   ARI  stories groups  texts/s`);
for (const set of sets()) {
  const order = shuffled(set.texts.length, 77);
  for (const mode of ['batch', 'stream'] as const) {
    const idx = mode === 'batch' ? set.texts.map((_, i) => i) : order;
    const started = performance.now();
    const out = storiesOfTexts(
      idx.map((i) => set.texts[i]!),
      embed,
      DEFAULT_STORY_OPTIONS,
      mode === 'batch',
    );
    const rate = set.texts.length / ((performance.now() - started) / 1000);
    const s = scoreClusters(
      out.map((o) => o.story),
      idx.map((i) => set.groups[i]!),
    );
    console.log(
      `${set.name.padEnd(42)} ${mode.padEnd(7)} ${pct(s.nmi)} ${pct(s.accuracy)} ${pct(s.ari)} ${String(s.clusters).padStart(8)} ${String(s.groups).padStart(6)} ${Math.round(rate).toString().padStart(8)}`,
    );
  }
}
