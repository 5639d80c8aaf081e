import { describe, expect, it } from 'vitest';
import { parseCsv, parseCsvRecords } from './csv.js';

describe('CSV records', () => {
  it('reads quoted commas, quotes and line breaks, with the line each record starts on', () => {
    expect(parseCsvRecords('a,b\r\n"x, ""y""\nz",2\r\n\n3,4')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x, "y"\nz', '2'] },
      { line: 5, cells: ['3', '4'] },
    ]);
  });

  // Issue #35 (defect 7d): a stray quote took every row after it into one field.
  it('a quote never closed spoils its own record only, named by line', () => {
    expect(parseCsvRecords('id,text\n1,ok\n2,"never closed\n3,fine\n4,fine too\n')).toEqual([
      { line: 1, cells: ['id', 'text'] },
      { line: 2, cells: ['1', 'ok'] },
      { line: 3, cells: [], error: 'the quoted field opened on line 3 is never closed' },
      { line: 4, cells: ['3', 'fine'] },
      { line: 5, cells: ['4', 'fine too'] },
    ]);
  });

  it("a quote closed by a later row's quote spoils its own record only", () => {
    const records = parseCsvRecords('id,text\n2,"oops\n3,"quoted"\n4,plain\n');
    expect(records.map((r) => [r.line, r.cells, r.error !== undefined])).toEqual([
      [1, ['id', 'text'], false],
      [2, [], true],
      [3, ['3', 'quoted'], false],
      [4, ['4', 'plain'], false],
    ]);
    expect(records[1]!.error).toMatch(/quoted field is followed by "q"/);
  });

  it('parseCsv names the line of a record it cannot read', () => {
    expect(parseCsv('a\n1\n')).toEqual([['a'], ['1']]);
    expect(() => parseCsv('a\n"1\n')).toThrow(/^CSV line 2: the quoted field opened on line 2 is never closed$/);
  });
});
