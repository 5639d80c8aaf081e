// npm run bench:stories: what stories cost the stream a mention (the classifier's story
// stage: embed, assign, label), with the stream's options. Banking77 in a seeded random
// order (77 issues spread over the whole run: the live stories climb to the cap, the
// costly case) and the demo's texts for one brand (few stories, reposts). Then what the
// story views cost the writer's inserts into chDB, as `earshot bench` sends them. Figures only.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EnrichedMentionSchema,
  MentionRowSchema,
  TableInserter,
  createLogger,
  createMetrics,
  loadConfig,
  mentionToRow,
  mentionsEnrichedTopic,
  storyViewCostDatabases,
  openStore,
  parseCsv,
  type EnrichedMention,
} from '@earshot/shared';
import { DEMO_BRANDS, generateDemoScenario } from '../../cli/src/demo/scenario.js';
import { createBrandMatcher } from '../../ingest/src/brand-matcher.js';
import { DEFAULT_STORY_EMBEDDING, STREAM_STORY_OPTIONS, StaticEmbedding, StoryClusters, StreamStories } from '../src/stories/index.js';
import { DATASETS } from './datasets.js';

function bankTexts(): string[] {
  const [head, ...rows] = parseCsv(readFileSync(join(DATASETS, 'stories/banking77_train.csv'), 'utf8'));
  const col = head!.indexOf('text');
  const texts = rows.filter((r) => r.length === head!.length).map((r) => r[col]!);
  let s = 77;
  for (let i = texts.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = Math.floor((s / 2 ** 31) * (i + 1));
    [texts[i], texts[j]] = [texts[j]!, texts[i]!];
  }
  return texts;
}

/** The demo's mentions of the brand with the outage, matched by its keywords as ingest does (the demo's posts carry no brands). */
function demoTexts(): string[] {
  const scenario = generateDemoScenario({ seed: 7, end: new Date() });
  const match = createBrandMatcher(Object.fromEntries(DEMO_BRANDS.map((b) => [b.id, b.keywords])));
  return scenario.mentions.filter((m) => match(m)?.[0] === scenario.incident.brand).map((m) => m.text);
}

const embedding = StaticEmbedding.load(DEFAULT_STORY_EMBEDDING);
const opts = STREAM_STORY_OPTIONS;
const base = EnrichedMentionSchema.parse(mentionsEnrichedTopic.examples[0]);
const us = (ms: number, n: number) => ((1000 * ms) / n).toFixed(1);
console.log(
  `stories bench: static embedding (${embedding.dims} dims); join ${opts.join}, merge ${opts.merge} every ${opts.mergeEvery}, at most ${opts.maxLive} live`,
);
console.log(
  `${'texts'.padEnd(32)} ${'mentions'.padStart(8)} ${'embed µs'.padStart(9)} ${'assign µs'.padStart(10)} ${'stage µs'.padStart(9)} ${'live'.padStart(5)}`,
);
for (const [name, texts] of [
  ['banking77, seeded random order', bankTexts()],
  ['demo, one brand', demoTexts()],
] as const) {
  const mentions: EnrichedMention[] = texts.map((text, i) => ({
    ...base,
    id: `b${i}`,
    text,
    brands: ['bench'],
    created_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
  }));
  // Once untimed first: the JIT and the embedding's word cache warm up, as in a running stream.
  new StreamStories(embedding, opts, 'warm').assign(mentions);
  let at = performance.now();
  const vecs = texts.map((t) => embedding.embed(t));
  const embedMs = performance.now() - at;
  const clusters = new StoryClusters(opts);
  at = performance.now();
  texts.forEach((t, i) => clusters.assign(vecs[i]!, t, i * 1000));
  const assignMs = performance.now() - at;
  // The whole stage, in the classifier's batches of 2,000 (EARSHOT_BATCH_SIZE).
  const stream = new StreamStories(embedding, opts, 'timed');
  at = performance.now();
  for (let i = 0; i < mentions.length; i += 2000) stream.assign(mentions.slice(i, i + 2000));
  const stageMs = performance.now() - at;
  console.log(
    `${name.padEnd(32)} ${String(texts.length).padStart(8)} ${us(embedMs, texts.length).padStart(9)} ${us(assignMs, texts.length).padStart(10)} ${us(stageMs, texts.length).padStart(9)} ${String(clusters.liveCount()).padStart(5)}`,
  );
}

/**
 * The store's share: the demo's mentions cycled as `earshot bench` sends them, given their
 * stories by the stage, inserted in blocks of 5,000 into two databases of one chDB, one with
 * every view and one without the story views, block by block in turn (the machine's other
 * load then weighs on both alike). CPU of the whole process: chDB inserts in it.
 */
async function storeViews(count = 60_000, block = 5_000): Promise<void> {
  const demo = generateDemoScenario({ seed: 7, end: new Date() }).mentions;
  const match = createBrandMatcher(Object.fromEntries(DEMO_BRANDS.map((b) => [b.id, b.keywords])));
  const mentions: EnrichedMention[] = Array.from({ length: count }, (_, i) => {
    const d = demo[i % demo.length]!;
    return { ...base, ...d, id: `s${i}`, brands: match(d) ?? [], from_brand: false };
  });
  new StreamStories(embedding, opts, 'views').assign(mentions);
  const rows = mentions.map((m) => mentionToRow(m));
  const dir = mkdtempSync(join(tmpdir(), 'earshot-bench-stories-'));
  const logger = createLogger('warn');
  const store = await openStore(loadConfig({ ...process.env, EARSHOT_DATA_DIR: dir }));
  try {
    const dbs = { 'every view': 'with_story_views', 'no story views': 'without_story_views' } as const;
    const { use } = await storyViewCostDatabases(store.client, logger, { withViews: dbs['every view'], withoutViews: dbs['no story views'] });
    const inserter = new TableInserter(store.client, 'mentions', MentionRowSchema, { logger, metrics: createMetrics({ defaultMetrics: false }) });
    const cpu: Record<string, number> = {};
    for (let i = 0; i < rows.length; i += block)
      for (const [name, db] of Object.entries(dbs)) {
        await use(db);
        const before = process.cpuUsage();
        await inserter.insert(rows.slice(i, i + block));
        const used = process.cpuUsage(before);
        cpu[name] = (cpu[name] ?? 0) + (used.user + used.system) / 1000;
      }
    const with_ = cpu['every view']!;
    const without = cpu['no story views']!;
    console.log(
      `\nstore: ${rows.length} demo mentions in blocks of ${block}, CPU µs a mention: every view ${us(with_, rows.length)}, without the story views ${us(without, rows.length)}: the story views ${us(with_ - without, rows.length)}`,
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
await storeViews();
