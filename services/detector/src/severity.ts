import type { Alert } from '@earshot/shared';
import type { Finding } from './finding.js';

const clamp = (x: number) => Math.min(10, Math.max(1, Math.round(x)));

/**
 * An alert's severity on a 1–10 scale, comparable across kinds: how many times the
 * expected it is, discounted when it rests on few mentions (7 against 0.04 is a clear
 * signal but a small incident); how far net sentiment fell; how much traffic went silent.
 */
export function severityScore(kind: Alert['kind'], f: Finding): number {
  if (kind === 'net_sentiment_drop') return clamp(2 + 8 * Math.min(1, (f.expected - f.observed) / 1.2));
  if (kind === 'source_silent') return clamp(3 + 2 * Math.log2(Math.max(1, f.expected / 14)));
  if (kind === 'care') return clamp(3 + 2 * Math.log2(Math.max(1, f.observed / Math.max(1, f.expected))));
  const ratio = f.ratio ?? f.observed / Math.max(f.expected, 0.01);
  const weight = Math.min(1, Math.log10(1 + f.observed) / 2);
  return clamp(1 + 2.2 * Math.log2(Math.max(1, ratio)) * weight);
}
