// npm run train:classifier:accurate (after npm run models:build): trains the accurate
// tier's heads on all-MiniLM-L6-v2 embeddings and writes models/earshot-minilm-heads.json.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TransformersEncoder } from '../src/encoder.js';
import { DenseHeads, trainDenseHead } from '../src/dense/heads.js';
import { HEADS, type HeadName } from '../src/linear/heads.js';
import { loadCorpus } from './corpus.js';

const models = join(dirname(fileURLToPath(import.meta.url)), '../models');
export const ACCURATE_ENCODER = join(models, 'all-MiniLM-L6-v2');
export const ACCURATE_HEADS = join(models, 'earshot-minilm-heads.json');

const log = (s: string) => process.stderr.write(`${s}\n`);
const corpus = loadCorpus();
const encoder = await TransformersEncoder.load({ model: ACCURATE_ENCODER, offline: true, dtype: 'q8', threads: 2, batchSize: 64 });
const sets: [HeadName, { text: string; label: number }[]][] = [
  ['sentiment', corpus.train.sentiment],
  ['emotion', corpus.train.emotion],
  ['offensive', corpus.train.offensive],
  ['hate', corpus.train.hate],
  ['complaint', corpus.train.complaint],
];
const heads = [];
for (const [name, set] of sets) {
  const t0 = Date.now();
  const xs = await encoder.embed(set.map((e) => e.text), (n) => {
    if (n % 6400 === 0) process.stderr.write(`\r  ${name}: embedded ${n}/${set.length}`);
  });
  const spec = HEADS[name];
  heads.push(trainDenseHead({ ...spec, labels: [...spec.labels] }, xs, set.map((e) => e.label), { epochs: 10, learningRate: 0.2, l2: 1e-5, seed: 1 }));
  log(`\r  trained ${name} head on ${set.length} embeddings in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
}
await encoder.dispose();
new DenseHeads({
  format: 'earshot-dense-heads/1',
  // all-MiniLM-L6-v2 was trained on English: its heads are used for English (and undetermined) texts only.
  encoder: { name: 'all-MiniLM-L6-v2', dims: encoder.dims, pooling: 'mean', normalize: true, languages: ['en', 'und'] },
  heads,
  trainedOn: Object.fromEntries(sets.map(([n, s]) => [n, s.length])),
}).save(ACCURATE_HEADS);
log(`wrote ${ACCURATE_HEADS}`);
