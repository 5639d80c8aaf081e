export const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;

/** A heavy-tailed follower count: most accounts are small, a few are large. */
export function followers(rand: () => number): number {
  return Math.floor(Math.exp(2 + rand() * 4 + (rand() < 0.03 ? 4 : 0)));
}
