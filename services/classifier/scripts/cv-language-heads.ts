// tsx services/classifier/scripts/cv-language-heads.ts [--folds 5] [--configs none:1,1e-6:2,1e-6:1:0.5]
// Chooses the fast tier's per-language sentiment residuals and the multilingual teacher's
// share (a config's third field: the gold label's blend; none: gold alone) (train-linear.ts) by k-fold
// cross-validation on UMSAB's train splits: each fold of every language is held out in
// turn, the sentiment head is trained as npm run train:classifier trains it on the rest,
// and the held-out tweets are scored with the language head choosing the residual.
// Prints macro-F1 per language pooled over the folds. UMSAB val is not read for any choice.
import { parseArgs } from 'node:util';
import { macroF1 } from '../src/linear/metrics.js';
import { LinearModel } from '../src/linear/model.js';
import { distillationPool, loadCorpus } from './corpus.js';
import { UMSAB_LANGUAGES } from './datasets.js';
import { DEFAULT_LINEAR_MODEL } from '../src/linear-classifier.js';
import {
  FAST_RECIPE,
  distilledSentiment,
  loadLanguageTeacher,
  loadTeacher,
  otherLanguages,
  sentimentHeads,
  withLanguageGroups,
  type LinearRecipe,
} from './train-linear.js';

const { values } = parseArgs({
  options: { folds: { type: 'string', default: '5' }, configs: { type: 'string', default: 'none:1,1e-6:1,1e-6:1:0.7,1e-6:1:0.5,1e-6:1:0.3,1e-6:1:0' } },
});
const folds = Number(values.folds);
const LABELS = ['negative', 'neutral', 'positive'];
const corpus = loadCorpus();
const sentiment = corpus.train.sentiment;
const pool = distillationPool(corpus);
const teacher = loadTeacher('teacher');
const languageTeacher = loadLanguageTeacher();
const recipeOf = (l2: string, weight: string, blend: string | undefined): LinearRecipe => ({
  ...FAST_RECIPE,
  languageResiduals: l2 === 'none' ? undefined : { l2: Number(l2) },
  otherLanguagesWeight: Number(weight),
  multilingualTeacher: blend === undefined ? undefined : { blend: Number(blend) },
});
const examplesOf = (recipe: LinearRecipe) => distilledSentiment(sentiment, pool, teacher, recipe.features, otherLanguages(recipe, languageTeacher));
// Fold of each example (distilledSentiment's order: the labelled tweets, then the pool): a
// UMSAB tweet's index within its language, mod k; -1 for everything else.
const seen: Record<string, number> = {};
const fold = [
  ...sentiment.map(({ group: g }) => {
    if (!g || !(UMSAB_LANGUAGES as readonly string[]).includes(g)) return -1;
    seen[g] = (seen[g] ?? 0) + 1;
    return seen[g] % folds;
  }),
  ...pool.map(() => -1),
];
// The shipped lang head picks each held-out tweet's residual. It was trained on these tweets,
// so it picks a little better here than on unseen ones.
const lang = LinearModel.load(DEFAULT_LINEAR_MODEL).head('lang');
const log = (s: string) => process.stderr.write(`${s}\n`);
log(`${fold.length} sentiment examples, ${fold.filter((f) => f >= 0).length} UMSAB train tweets in ${folds} folds`);

// Each config: the residuals' L2 ('none': no residuals), the other languages' weight and
// the gold label's blend with the multilingual teacher (absent: gold alone).
for (const config of values.configs.split(',')) {
  const [l2, weight, blend] = config.split(':') as [string, string, string | undefined];
  const recipe = recipeOf(l2, weight, blend);
  const ex = examplesOf(recipe);
  if (ex.length !== fold.length) throw new Error('the examples are not in distilledSentiment order');
  const train = recipe.languageResiduals ? withLanguageGroups(ex, lang, recipe.features) : ex;
  const gold: Record<string, number[]> = {};
  const pred: Record<string, number[]> = {};
  const t0 = Date.now();
  for (let k = 0; k < folds; k++) {
    const model = new LinearModel({
      name: 'cv',
      version: '0',
      features: recipe.features,
      heads: [
        ...sentimentHeads(
          train.filter((_, i) => fold[i] !== k),
          recipe,
        ),
        lang,
      ],
      trainedOn: {},
    });
    sentiment.forEach((e, i) => {
      if (fold[i] !== k) return;
      const p = model.predict(e.text).sentiment!;
      const dist = LABELS.map((l) => p[l]!);
      (gold[e.group!] ??= []).push(e.label);
      (pred[e.group!] ??= []).push(dist.indexOf(Math.max(...dist)));
    });
  }
  const f1 = Object.fromEntries(UMSAB_LANGUAGES.map((l) => [l, 100 * macroF1(gold[l]!, pred[l]!, 3)]));
  const avg = Object.values(f1).reduce((a, b) => a + b, 0) / UMSAB_LANGUAGES.length;
  console.log(
    `residual l2 ${l2.padEnd(5)} weight ${weight} gold ${(blend ?? '1').padEnd(3)} | ${UMSAB_LANGUAGES.map((l) => `${l.slice(0, 3)} ${f1[l]!.toFixed(1)}`).join(' ')} | avg ${avg.toFixed(1)} | ${((Date.now() - t0) / 1000).toFixed(0)}s`,
  );
}
