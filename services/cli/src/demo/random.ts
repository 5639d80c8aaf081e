/** mulberry32: a small seeded PRNG, so a seed always yields the same scenario. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

/** Poisson-distributed count (Knuth; fine for the small means used here). */
export function poisson(rand: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > limit);
  return k - 1;
}

/** A heavy-tailed follower count: most accounts are small, a few are large. */
export function followers(rand: () => number): number {
  return Math.floor(Math.exp(2 + rand() * 4 + (rand() < 0.03 ? 4 : 0)));
}
