/** One CSV record: the line it starts on, its fields, or why it could not be read. */
export interface CsvRecord {
  line: number;
  cells: string[];
  error?: string;
}

const isBreak = (c: string | undefined) => c === '\n' || c === '\r';

/**
 * RFC 4180 CSV, record by record: quoted fields may hold commas, quotes ("") and line
 * breaks; a quote inside an unquoted field is a plain character. A quoted field never
 * closed, or closed with more text after it, makes its record bad (with its line), and
 * reading goes on at the next line: one stray quote must not swallow the rows after it.
 * Blank rows are dropped.
 */
export function parseCsvRecords(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const start = i;
    const startLine = line;
    const cells: string[] = [];
    let error: string | undefined;
    for (;;) {
      let field = '';
      if (text[i] === '"') {
        const open = line;
        let closed = false;
        for (i++; i < text.length; i++) {
          const c = text[i]!;
          if (c === '"' && text[i + 1] === '"') ((field += '"'), i++);
          else if (c === '"') {
            closed = true;
            i++;
            break;
          } else {
            if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) line++;
            field += c;
          }
        }
        if (!closed) error = `the quoted field opened on line ${open} is never closed`;
        else if (i < text.length && text[i] !== ',' && !isBreak(text[i]))
          error = `a quoted field is followed by ${JSON.stringify(text[i])} (a quote inside a field is written "")`;
      } else {
        while (i < text.length && text[i] !== ',' && !isBreak(text[i])) field += text[i++];
      }
      if (error) break;
      cells.push(field);
      if (text[i] === ',') {
        i++;
        continue;
      }
      // End of the record: a line break (\r\n, \n or \r) or the end of the text.
      if (text[i] === '\r' && text[i + 1] === '\n') i++;
      if (i < text.length) (i++, line++);
      break;
    }
    if (error) {
      out.push({ line: startLine, cells: [], error });
      // Go on at the line after the one the bad record started on.
      let next = start;
      while (next < text.length && !isBreak(text[next])) next++;
      if (text[next] === '\r' && text[next + 1] === '\n') next++;
      i = next + 1;
      line = startLine + 1;
      continue;
    }
    if (cells.some((f) => f.trim() !== '')) out.push({ line: startLine, cells });
  }
  return out;
}

/** The fields of every record (see `parseCsvRecords`); a bad record is an error naming its line. */
export function parseCsv(text: string): string[][] {
  return parseCsvRecords(text).map((r) => {
    if (r.error) throw new Error(`CSV line ${r.line}: ${r.error}`);
    return r.cells;
  });
}

// A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One RFC 4180 record, CRLF-terminated. Text cells a spreadsheet would run as a formula get
 * a leading single quote (OWASP's advice), so an exported post cannot execute on opening;
 * numbers are written as they are (a negative score is data, not a formula).
 */
export function csvRecord(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return `${cells
    .map((cell) => {
      if (cell === null || cell === undefined) return '';
      if (typeof cell !== 'string') return String(cell);
      const text = FORMULA_START.test(cell) ? `'${cell}` : cell;
      return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
    })
    .join(',')}\r\n`;
}
