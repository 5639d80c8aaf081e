/**
 * Sequence novelty, after the contextual detectors that lead NAB (CAD-OSE, HTM's
 * sequence memory): values are quantised into `levels` bands of the range seen so far,
 * and a point is novel for each context order k when the band it lands in has never
 * followed the previous k bands. Memory is bounded by the number of distinct contexts
 * (at most (levels + 1)^(order + 1) per order).
 */
export class ContextNovelty {
  private readonly seen = new Set<number>();
  private readonly recent: number[] = [];
  private min = Infinity;
  private max = -Infinity;

  constructor(
    private readonly levels = 24,
    private readonly order = 2,
  ) {}

  /** Fraction of context orders for which this value is new, in [0, 1]. */
  update(value: number): number {
    if (value > this.max) this.max = value;
    if (value < this.min) this.min = value;
    const range = this.max - this.min;
    const band = range > 0 ? Math.min(this.levels - 1, Math.floor(((value - this.min) / range) * this.levels)) : 0;
    const base = this.levels + 1;
    let novel = 0;
    for (let k = 1; k <= this.order; k++) {
      if (this.recent.length < k) {
        novel++;
        continue;
      }
      let key = k;
      for (let j = this.recent.length - k; j < this.recent.length; j++) key = key * base + this.recent[j]!;
      key = key * base + band;
      if (!this.seen.has(key)) {
        novel++;
        this.seen.add(key);
      }
    }
    this.recent.push(band);
    if (this.recent.length > this.order) this.recent.shift();
    return novel / this.order;
  }
}
