// Writes the training corpus (the same splits and de-duplication as the fast tier's
// training) as one JSON file for the accurate tier's Python fine-tuning step.
//   tsx services/classifier/scripts/export-corpus.ts OUT.json
import { writeFileSync } from 'node:fs';
import { distillationPool, loadCorpus, shiftCheck } from './corpus.js';

const out = process.argv[2];
if (!out) throw new Error('usage: export-corpus.ts OUT.json');
const corpus = loadCorpus();
const { lang: _lang, ...train } = corpus.train;
writeFileSync(out, JSON.stringify({ train, val: corpus.val, shift: shiftCheck(corpus), pool: distillationPool(corpus) }));
process.stderr.write(
  `[corpus] wrote ${out}: ${Object.entries(train)
    .map(([k, v]) => `${k} ${v.length}`)
    .join(', ')}\n`,
);
