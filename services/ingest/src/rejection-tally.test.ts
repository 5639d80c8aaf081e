import { describe, expect, it } from 'vitest';
import { RejectionTally } from './rejection-tally.js';

describe('RejectionTally', () => {
  it('groups reasons that differ only in the values they quote or number, largest first, with the first three lines', () => {
    const tally = new RejectionTally();
    for (const [line, date] of [
      [5, '31/31/2019'],
      [9, '2/30/2019'],
      [12, 'soon'],
      [40, 'never'],
    ] as const)
      tally.add(line, `created_at: "${date}" (column tweet_created) is not a date in a known format`, 'schema');
    tally.add(7, 'not a CSV record: the quoted field opened on line 7 is never closed', 'invalid_csv');
    tally.add(3, 'brand "Initech" is none of the configured brands (acme)', 'unmatched');
    tally.add(8, 'mentions none of the configured brands', 'unmatched');
    expect(tally.rejected()).toEqual([
      { reason: 'created_at: "31/31/2019" (column tweet_created) is not a date in a known format', count: 4, lines: [5, 9, 12] },
      { reason: 'not a CSV record: the quoted field opened on line 7 is never closed', count: 1, lines: [7] },
    ]);
    expect(tally.unmatched).toEqual({ reason: 'brand "Initech" is none of the configured brands (acme)', count: 2, lines: [3, 8] });
  });
});
