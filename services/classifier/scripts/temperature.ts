import type { HeadSpec } from '../src/linear/model.js';
import { logit } from '../src/logit.js';

/**
 * A head's probabilities as a row of logits for temperature scaling: log-probabilities for
 * a softmax head, [0, logit] for a yes/no head (whose label 1 is the positive one).
 */
export function logitRow(head: HeadSpec, p: Record<string, number>, shift = 0): number[] {
  if (head.kind === 'sigmoid') return [0, logit(p[head.labels[0]!]!) + shift];
  return head.labels.map((l) => Math.log(Math.min(1 - 1e-12, Math.max(1e-12, p[l]!))));
}

/**
 * The temperature that minimises the log-loss of softmax(logits / T) (a golden-section
 * search over log T). Dividing by it calibrates the probabilities without changing any
 * decision: argmax and the sign of a yes/no logit stay the same.
 */
export function bestTemperature(logits: number[][], gold: number[]): number {
  const loss = (t: number) =>
    logits.reduce((sum, row, i) => {
      const z = row.map((v) => v / t);
      const max = Math.max(...z);
      const lse = max + Math.log(z.reduce((a, v) => a + Math.exp(v - max), 0));
      return sum + lse - z[gold[i]!]!;
    }, 0);
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let k = 0; k < 60; k++) {
    const a = hi - g * (hi - lo);
    const b = lo + g * (hi - lo);
    if (loss(Math.exp(a)) < loss(Math.exp(b))) hi = b;
    else lo = a;
  }
  return Math.exp((lo + hi) / 2);
}
