// npm run train:classifier — trains the fast tier's linear model from ../shared/datasets
// and writes services/classifier/models/earshot-linear-fast.bin (deterministic).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync, statSync } from 'node:fs';
import { loadCorpus } from './corpus.js';
import { DEFAULT_HEADS } from '../src/create-classifier.js';
import type { DenseHeadsFile } from '../src/dense/heads.js';
import { sha256File } from '../src/mix-calibration.js';
import { FAST_RECIPE, loadLanguageTeacher, loadTeacher, trainLinearModel } from './train-linear.js';
import { complaintDomainCv, evaluate, hateOnBrandTweetsCv } from './evaluate.js';

const out = join(dirname(fileURLToPath(import.meta.url)), '../models/earshot-linear-fast.bin');
const log = (s: string) => process.stderr.write(`${s}\n`);
const corpus = loadCorpus();
log(`training ${FAST_RECIPE.name} ${FAST_RECIPE.version} from ${corpus.source}`);
log('sentiment distilled from the accurate tier (models/teacher/teacher.json.gz)');
const languageTeacher = loadLanguageTeacher();
log(
  `UMSAB's ${Object.keys(languageTeacher.languages).join(', ')} tweets also from the multilingual encoder (models/teacher/multilingual-teacher.json.gz: ${languageTeacher.source})`,
);
const model = trainLinearModel(corpus, FAST_RECIPE, log, loadTeacher('teacher'), languageTeacher);
model.save(out);
log(`wrote ${out} (${(statSync(out).size / 1e6).toFixed(1)} MB)`);
// The accurate tier's post-mix shifts hold for one linear model (calibrate-mix.ts).
const mix = (JSON.parse(readFileSync(DEFAULT_HEADS, 'utf8')) as DenseHeadsFile).mix;
if (mix && mix.linearSha256 !== sha256File(out))
  log('this linear model differs from the one the accurate tier was calibrated with: run npm run models:build, then npm run calibrate:classifier:mix');
if (!process.argv.includes('--no-eval')) {
  log('val scores (the full table: npm run eval:classifier):');
  const scores = await evaluate(async (texts) => texts.map((t) => model.predict(t)), corpus, {
    complaint: complaintDomainCv(corpus, FAST_RECIPE),
    hateOnBrandTweets: hateOnBrandTweetsCv(corpus, FAST_RECIPE),
  });
  log(JSON.stringify(scores, (_k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v), 2));
}
