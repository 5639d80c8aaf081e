import { RollingWindow } from './rolling.js';

/**
 * The value minus what the same time of day looked like on the previous `days` days:
 * a daily pattern that breaks (a peak that does not come, a flat day, a holiday) shows
 * here while the value itself looks ordinary. Keeps `perDay × days` values.
 */
export class SeasonalResidual {
  private readonly past: RollingWindow;

  constructor(
    private readonly perDay: number,
    private readonly days = 7,
  ) {
    this.past = new RollingWindow(perDay * days);
  }

  /** The residual, or null until a full day of history exists. */
  update(value: number): number | null {
    let sum = 0;
    let n = 0;
    for (let d = 1; d <= this.days; d++) {
      const back = d * this.perDay - 1;
      if (back >= this.past.length) break;
      sum += this.past.back(back);
      n++;
    }
    this.past.push(value);
    return n ? value - sum / n : null;
  }
}
