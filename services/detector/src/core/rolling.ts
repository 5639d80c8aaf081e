/** Fixed-capacity ring of numbers with running sum and sum of squares: O(1) push, mean and variance. */
export class RollingWindow {
  private readonly buf: Float64Array;
  private next = 0;
  private size = 0;
  private sum = 0;
  private sumSq = 0;
  // Running sums drift after millions of updates; recompute them exactly now and then.
  private sinceExact = 0;

  constructor(readonly capacity: number) {
    this.buf = new Float64Array(Math.max(1, capacity));
  }

  get length(): number {
    return this.size;
  }

  push(v: number): void {
    if (this.size === this.capacity) {
      const old = this.buf[this.next]!;
      this.sum -= old;
      this.sumSq -= old * old;
    } else this.size++;
    this.buf[this.next] = v;
    this.next = (this.next + 1) % this.capacity;
    this.sum += v;
    this.sumSq += v * v;
    if (++this.sinceExact >= 100_000) this.resum();
  }

  /** The i-th most recent value (0 = newest). */
  back(i: number): number {
    return this.buf[(this.next - 1 - i + 2 * this.capacity) % this.capacity]!;
  }

  mean(): number {
    return this.size ? this.sum / this.size : 0;
  }

  variance(): number {
    if (this.size < 2) return 0;
    const m = this.sum / this.size;
    return Math.max(0, this.sumSq / this.size - m * m);
  }

  private resum(): void {
    this.sinceExact = 0;
    this.sum = 0;
    this.sumSq = 0;
    for (let i = 0; i < this.size; i++) {
      const v = this.back(i);
      this.sum += v;
      this.sumSq += v * v;
    }
  }
}

/** Upper tail of the standard normal, Q(z) = P(Z > z); erfc with relative error under 1.2e-7 (Numerical Recipes' erfcc), so deep tails stay exact enough. */
export function normalTail(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}
