import type { RejectionCategory } from './parse-body.js';

/** One kind of rejection: how many, the first lines it happened on, and its first reason as an example. */
export interface RejectionGroup {
  reason: string;
  count: number;
  lines: number[];
}

const FIRST_LINES = 3;

/**
 * Rejected records grouped by reason, so a file with 9,000 bad dates reads as one line,
 * not 9,000. Reasons that differ only in the values they quote or the numbers they name
 * are one group. Unmatched records (no configured brand) are kept apart: they are not
 * broken, just not about a brand.
 */
export class RejectionTally {
  private readonly groups = new Map<string, RejectionGroup>();
  /** Its reason is the first one given (the configured brands, or a brand column's unknown name). */
  readonly unmatched: RejectionGroup = { reason: '', count: 0, lines: [] };

  add(line: number, reason: string, category: RejectionCategory): void {
    const group =
      category === 'unmatched'
        ? this.unmatched
        : this.groupFor(
            reason
              .replace(/"(?:[^"\\]|\\.)*"/g, '"…"')
              .replace(/\d+/g, '#')
              .slice(0, 200),
          );
    if (group.count === 0) group.reason = reason;
    group.count++;
    if (group.lines.length < FIRST_LINES) group.lines.push(line);
  }

  /** Every group of broken records, the largest first. */
  rejected(): RejectionGroup[] {
    return [...this.groups.values()].sort((a, b) => b.count - a.count);
  }

  private groupFor(key: string): RejectionGroup {
    let g = this.groups.get(key);
    if (!g) this.groups.set(key, (g = { reason: '', count: 0, lines: [] }));
    return g;
  }
}
