// npm run calibrate:classifier:mix: the accurate tier averages its encoder's probabilities
// with the linear model's (0.7 / 0.3). Its heads were calibrated in training, but alone: the
// average is less sure than it is right (on val, 71% confident and 78% right on emotion) and
// called 27% of offensive val tweets offensive where 35% are. This fits, on the mixed val
// output, one logit shift per yes/no head, so the mix calls as many val tweets positive as
// are, then one temperature per head, and writes both into the heads file with the weight
// and linear model they hold for. Rerunning it gives the same file (it fits on the plain mix).
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_LINEAR_MODEL } from '../src/linear-classifier.js';
import { ACCURATE_ENSEMBLE_WEIGHT, DEFAULT_HEADS } from '../src/create-classifier.js';
import { recalibrated, sha256File, type PostMix } from '../src/mix-calibration.js';
import type { DenseHeadsFile } from '../src/dense/heads.js';
import { HEADS } from '../src/linear/heads.js';
import { logit } from '../src/logit.js';
import { macroF1 } from '../src/linear/metrics.js';
import { readTextLabels, requireDatasets } from './datasets.js';
import { rateMatchedShift } from './complaint-calibration.js';
import { classDistribution, expectedCalibrationError, loadMeasuredAccurateTier } from './evaluate.js';
import { bestTemperature, logitRow } from './temperature.js';

const MIXED_HEADS = ['sentiment', 'emotion', 'offensive', 'hate'] as const;
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

requireDatasets();
const file = JSON.parse(readFileSync(DEFAULT_HEADS, 'utf8')) as DenseHeadsFile;
const clf = await loadMeasuredAccurateTier({ mixCalibration: false });
const shift: Record<string, number> = {};
const temperature: Record<string, number> = {};
for (const name of MIXED_HEADS) {
  const head = HEADS[name];
  const val = readTextLabels(`tweeteval/${name}`, 'val');
  const gold = val.map((e) => e.label);
  const probs = (await clf.probabilities(val.map((e) => e.text))).map((p) => p[name]!);
  if (head.kind === 'sigmoid') {
    const z = probs.map((p) => logit(p[head.labels[0]]!));
    shift[name] = round4(rateMatchedShift(z, gold));
    const decide = (t: number) => z.map((v) => (v + t >= 0 ? 1 : 0));
    const rate = (t: number) => ((100 * decide(t).filter((d) => d === 1).length) / z.length).toFixed(1);
    const f1 = (t: number) => (100 * macroF1(gold, decide(t), 2)).toFixed(1);
    const truth = ((100 * gold.filter((g) => g === 1).length) / gold.length).toFixed(1);
    log(
      `${name}: logit shift ${shift[name].toFixed(3)}; predicted positive ${rate(0)}% -> ${rate(shift[name])}% (truth ${truth}%), val macro-F1 ${f1(0)} -> ${f1(shift[name])}`,
    );
  }
  temperature[name] = round4(
    bestTemperature(
      probs.map((p) => logitRow(head, p, shift[name] ?? 0)),
      gold,
    ),
  );
  const ece = (cal: PostMix) => {
    const dist = probs.map((p) => classDistribution(head, recalibrated({ [name]: p }, cal)[name]!));
    return (100 * expectedCalibrationError(dist, gold)).toFixed(1);
  };
  log(`${name}: temperature ${temperature[name].toFixed(3)}; expected calibration error ${ece({ shift })} -> ${ece({ shift, temperature })} points`);
}
await clf.close();
file.mix = { weight: ACCURATE_ENSEMBLE_WEIGHT, linearSha256: sha256File(DEFAULT_LINEAR_MODEL), shift, temperature };
writeFileSync(DEFAULT_HEADS, JSON.stringify(file));
log(`wrote the post-mix calibration into ${DEFAULT_HEADS}`);

function log(line: string): void {
  process.stderr.write(`[calibrate] ${line}\n`);
}
