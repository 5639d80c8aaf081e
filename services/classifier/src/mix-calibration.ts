import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DenseHeadsFile, MixCalibration } from './dense/heads.js';
import { HEADS } from './linear/heads.js';
import { logit, sigmoid } from './logit.js';
import type { Probabilities } from './probabilities.js';

// The accurate tier averages its encoder's probabilities with the fast tier's. The average
// is less sure than either model is right (val: 71% confident, 78% right on emotion) and
// moves the toxicity heads' rates, so scripts/calibrate-mix.ts fits, on the mixed val
// output, one logit shift per yes/no head (its rate) and one temperature per head (its
// confidence). Neither reorders a text's labels: decisions come from the shift alone.

export type PostMix = Pick<MixCalibration, 'shift' | 'temperature'>;

export const sha256File = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/**
 * The heads file's post-mix calibration when it was fitted for this weight and this linear
 * model; otherwise none, with a warning, since a stale shift would move decisions blindly.
 */
export function postMixCalibration(file: DenseHeadsFile, weight: number, linearPath: string): PostMix {
  if (!file.mix) return { shift: {} };
  const sha = sha256File(linearPath);
  if (file.mix.weight === weight && file.mix.linearSha256 === sha) return { shift: file.mix.shift, temperature: file.mix.temperature };
  process.emitWarning(
    `the heads' post-mix calibration was fitted for weight ${file.mix.weight} and linear model ${file.mix.linearSha256.slice(0, 12)}, ` +
      `not weight ${weight} and ${sha.slice(0, 12)} (${linearPath}); the toxicity heads' rates and all heads' confidences are not calibrated. ` +
      'Rerun npm run calibrate:classifier:mix',
    'EarshotMixCalibration',
  );
  return { shift: {} };
}

/** Yes/no heads: sigmoid((logit(p) + shift) / T). Others: p^(1/T), renormalised. */
export function recalibrated(p: Probabilities, cal: PostMix): Probabilities {
  const heads = new Set([...Object.keys(cal.shift), ...Object.keys(cal.temperature ?? {})]);
  if (heads.size === 0) return p;
  const out: Probabilities = { ...p };
  for (const head of heads) {
    const probs = p[head];
    if (!probs) continue;
    const t = cal.temperature?.[head] ?? 1;
    if (HEADS[head as keyof typeof HEADS]?.kind === 'sigmoid') {
      const s = cal.shift[head] ?? 0;
      out[head] = Object.fromEntries(Object.entries(probs).map(([l, q]) => [l, sigmoid((logit(q) + s) / t)]));
    } else {
      const z = Object.entries(probs).map(([l, q]) => [l, Math.log(Math.max(q, 1e-12)) / t] as const);
      const max = Math.max(...z.map(([, v]) => v));
      const e = z.map(([l, v]) => [l, Math.exp(v - max)] as const);
      const sum = e.reduce((a, [, v]) => a + v, 0);
      out[head] = Object.fromEntries(e.map(([l, v]) => [l, v / sum]));
    }
  }
  return out;
}
