/**
 * How a surprise compares with the largest this series has shown lately: the record
 * decays with a half-life, so an incident fires once, its aftershocks stay quiet, and
 * a later incident of the same size fires again once the memory has faded.
 */
export class DecayingRecord {
  private record = 0;
  private readonly decay: number;

  constructor(
    halfLife: number,
    /** Surprises below this never count as records (a calm series' first wobble). */
    private readonly floor: number,
  ) {
    this.decay = Math.pow(0.5, 1 / halfLife);
  }

  /** The ratio of `surprise` to the current record, then the record is updated. */
  update(surprise: number): number {
    const ratio = surprise / Math.max(this.record, this.floor);
    this.record = Math.max(surprise, this.record * this.decay);
    return ratio;
  }
}
