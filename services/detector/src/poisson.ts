/** ln Γ(x) (Lanczos), for Poisson tails with large counts. */
function logGamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
    9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** P(X ≥ k) for X ~ Poisson(λ): how surprising k events are when λ were expected. */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  // Sum P(X = j) for j ≥ k until the terms vanish, in log space.
  let logP = k * Math.log(lambda) - lambda - logGamma(k + 1);
  let sum = 0;
  for (let j = k; j < k + 10_000; j++) {
    const p = Math.exp(logP);
    sum += p;
    if (p < sum * 1e-12 && j > lambda) break;
    logP += Math.log(lambda) - Math.log(j + 1);
  }
  return Math.min(1, sum);
}

/** P(X ≥ k) for X ~ Binomial(n, p): how surprising k of n are when each is one with chance p. */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n || p <= 0) return 0;
  if (p >= 1) return 1;
  const lq = Math.log1p(-p);
  const lp = Math.log(p);
  let logP = logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * lp + (n - k) * lq;
  let sum = 0;
  for (let j = k; j <= n; j++) {
    const t = Math.exp(logP);
    sum += t;
    if (t < sum * 1e-12 && j > n * p) break;
    logP += Math.log(n - j) - Math.log(j + 1) + lp - lq;
  }
  return Math.min(1, sum);
}

/**
 * P(X ≥ k) for X negative binomial with mean `mean` and variance `dispersion` × mean: a Poisson
 * whose rate itself varies (a gamma of shape mean / (dispersion − 1)), as counts do when
 * reposts and threads bring mentions in clumps. Its tail is heavier than the quasi-Poisson
 * one far above the mean, where a surge test decides; at dispersion 1 it is the Poisson's.
 */
export function negativeBinomialUpperTail(k: number, mean: number, dispersion: number): number {
  if (k <= 0) return 1;
  if (mean <= 0) return 0;
  const size = mean / Math.max(dispersion - 1, 1e-9);
  if (size > 1e6) return poissonUpperTail(k, mean);
  const q = mean / (size + mean);
  // Sum P(X = j) for j ≥ k until the terms vanish, in log space.
  let logP = logGamma(k + size) - logGamma(size) - logGamma(k + 1) + size * Math.log1p(-q) + k * Math.log(q);
  let sum = 0;
  for (let j = k; j < k + 100_000; j++) {
    const p = Math.exp(logP);
    sum += p;
    if (p < sum * 1e-12 && j > mean * dispersion) break;
    logP += Math.log((j + size) / (j + 1)) + Math.log(q);
  }
  return Math.min(1, sum);
}
