// tsx services/classifier/scripts/cv-language-heads.ts [--folds 5] [--configs none:1,1e-6:2]
// Chooses the fast tier's per-language sentiment residuals (train-linear.ts) by k-fold
// cross-validation on UMSAB's train splits: each fold of every language is held out in
// turn, the sentiment head is trained as npm run train:classifier trains it on the rest,
// and the held-out tweets are scored with the language head choosing the residual.
// Prints macro-F1 per language pooled over the folds. UMSAB val is not read for any choice.
import { parseArgs } from 'node:util';
import type { Example } from '../src/linear/trainer.js';
import { macroF1 } from '../src/linear/metrics.js';
import { LinearModel } from '../src/linear/model.js';
import { distillationPool, loadCorpus } from './corpus.js';
import { UMSAB_LANGUAGES } from './datasets.js';
import { DEFAULT_LINEAR_MODEL } from '../src/linear-classifier.js';
import { FAST_RECIPE, distilledSentiment, loadTeacher, sentimentHeads, withLanguageGroups, type LinearRecipe } from './train-linear.js';

const { values } = parseArgs({ options: { folds: { type: 'string', default: '5' }, configs: { type: 'string', default: 'none:1,1e-6:1,1e-6:2,1e-6:4' } } });
const folds = Number(values.folds);
const LABELS = ['negative', 'neutral', 'positive'];
const corpus = loadCorpus();
const sentiment = corpus.train.sentiment;
const examples = distilledSentiment(sentiment, distillationPool(corpus), loadTeacher('teacher'), FAST_RECIPE.features);
// Fold of each UMSAB tweet (its index within its language, mod k); -1 for everything else.
const seen: Record<string, number> = {};
const fold = examples.map((_, i) => {
  const g = sentiment[i]?.group;
  if (!g || !(UMSAB_LANGUAGES as readonly string[]).includes(g)) return -1;
  seen[g] = (seen[g] ?? 0) + 1;
  return seen[g] % folds;
});
// The shipped lang head picks each held-out tweet's residual. It was trained on these tweets,
// so it picks a little better here than on unseen ones.
const lang = LinearModel.load(DEFAULT_LINEAR_MODEL).head('lang');
const grouped = withLanguageGroups(examples, lang, FAST_RECIPE.features);
const log = (s: string) => process.stderr.write(`${s}\n`);
log(`${examples.length} sentiment examples, ${fold.filter((f) => f >= 0).length} UMSAB train tweets in ${folds} folds`);

// Each config: the residuals' L2 ('none': no residuals) and the other languages' weight.
for (const config of values.configs.split(',')) {
  const [l2, weight] = config.split(':') as [string, string];
  const recipe: LinearRecipe = {
    ...FAST_RECIPE,
    languageResiduals: l2 === 'none' ? undefined : { l2: Number(l2) },
    otherLanguagesWeight: Number(weight),
  };
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
          weighted(recipe.languageResiduals ? grouped : examples, recipe.otherLanguagesWeight ?? 1).filter((_, i) => fold[i] !== k),
          recipe,
        ),
        lang,
      ],
      trainedOn: {},
    });
    examples.forEach((e, i) => {
      if (fold[i] !== k) return;
      const language = sentiment[i]!.group!;
      const p = model.predict(sentiment[i]!.text).sentiment!;
      const dist = LABELS.map((l) => p[l]!);
      (gold[language] ??= []).push(sentiment[i]!.label);
      (pred[language] ??= []).push(dist.indexOf(Math.max(...dist)));
    });
  }
  const f1 = Object.fromEntries(UMSAB_LANGUAGES.map((l) => [l, 100 * macroF1(gold[l]!, pred[l]!, 3)]));
  const avg = Object.values(f1).reduce((a, b) => a + b, 0) / UMSAB_LANGUAGES.length;
  console.log(
    `residual l2 ${l2.padEnd(5)} weight ${weight} | ${UMSAB_LANGUAGES.map((l) => `${l.slice(0, 3)} ${f1[l]!.toFixed(1)}`).join(' ')} | avg ${avg.toFixed(1)} | ${((Date.now() - t0) / 1000).toFixed(0)}s`,
  );
}

/** The examples with the other languages' weight set (distilledSentiment's otherLanguagesWeight). */
function weighted(ex: Example[], weight: number): Example[] {
  return ex.map((e, i) => (fold[i]! >= 0 && sentiment[i]!.group !== 'english' ? { ...e, weight } : e));
}
