import { parseCsvRecords, wallToUtc, zoneFormatter } from '@earshot/shared';
import { CSV_COLUMNS, csvMentions, csvRowMention, type CsvColumn } from './csv-mentions.js';
import { suggestion } from './did-you-mean.js';
import type { BodyItem } from './parse-body.js';

/** A mapping, time zone or default that does not fit the file: the import stops before any row is sent. */
export class CsvMappingError extends Error {
  override readonly name = 'CsvMappingError';
}

/** How to read a CSV exported by another tool (`--map`, `--timezone`, `--source`). */
export interface CsvImportOptions {
  /** Earshot field → the file's column, e.g. `{ created_at: 'tweet_created', brand: 'brand_name' }`. */
  map?: Record<string, string>;
  /** IANA zone for dates written without one (UTC by default). */
  timezone?: string;
  /** The source of every row when the file has no source column. */
  source?: string;
  /** The configured brand ids, which a brand column's names are matched to. */
  brands?: readonly string[];
}

export interface CsvImport {
  items: (BodyItem & { line: number })[];
  /** What the user should know about how the file was read: ignored columns, defaults used. */
  notes: string[];
  /** Rows with no author column: author_id "unknown". */
  madeUpAuthors: number;
}

/** Fields a mapping may name: the standard columns, and `brand` for `brands`. */
export const MAPPABLE_FIELDS: readonly string[] = [...CSV_COLUMNS, 'brand'];
export const MADE_UP_AUTHOR = 'unknown';

/** "id=tweet_id,created_at=tweet_created" as `{ id: 'tweet_id', created_at: 'tweet_created' }`. */
export function parseColumnMap(spec: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [field, column] = part.split('=', 2).map((s) => s?.trim());
    if (!field || !column) throw new CsvMappingError(`"${part}" in the column map is not FIELD=COLUMN (e.g. created_at=tweet_created)`);
    const f = field.toLowerCase();
    if (!MAPPABLE_FIELDS.includes(f))
      throw new CsvMappingError(
        `"${field}" is not a field a column can be mapped to${suggestion(field, MAPPABLE_FIELDS)}; fields are ${MAPPABLE_FIELDS.join(', ')}`,
      );
    map[f === 'brand' ? 'brands' : f] = column;
  }
  return map;
}

/** The zone name as Intl knows it, or a CsvMappingError. */
export function checkTimeZone(timeZone: string): string {
  try {
    return zoneFormatter(timeZone).resolvedOptions().timeZone;
  } catch {
    throw new CsvMappingError(`"${timeZone}" is not an IANA time zone (e.g. UTC, Europe/London, America/New_York)`);
  }
}

const ZONE = String.raw`(Z|UTC|GMT|UT|[+-]\d{2}(?::?\d{2})?)`;
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const FORMATS: { pattern: RegExp; parts: (m: RegExpExecArray) => (string | undefined)[] }[] = [
  // ISO 8601, and YYYY-MM-DD HH:mm[:ss] (also with a numeric zone, as "2015-02-24 11:35:52 -0800")
  {
    pattern: new RegExp(String.raw`^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*${ZONE}?$`, 'i'),
    parts: (m) => [m[1], m[2], m[3], m[4], m[5], m[6], m[7], undefined, m[8]],
  },
  // M/D/YYYY H:mm[:ss] [AM|PM], as US spreadsheets write it
  {
    pattern: new RegExp(String.raw`^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?\s*${ZONE}?$`, 'i'),
    parts: (m) => [m[3], m[1], m[2], m[4], m[5], m[6], undefined, m[7], m[8]],
  },
  // D.M.YYYY [H:mm[:ss]], as European spreadsheets write it
  {
    pattern: new RegExp(String.raw`^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*${ZONE}?$`, 'i'),
    parts: (m) => [m[3], m[2], m[1], m[4], m[5], m[6], undefined, undefined, m[7]],
  },
  // Twitter's created_at: "Wed Oct 10 20:19:24 +0000 2018"
  {
    pattern: new RegExp(String.raw`^(?:[a-z]{3},?\s+)?([a-z]{3})\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})\s+${ZONE}\s+(\d{4})$`, 'i'),
    parts: (m) => [m[7], month(m[1]!), m[2], m[3], m[4], m[5], undefined, undefined, m[6]],
  },
  // RFC 2822: "Wed, 10 Oct 2018 20:19:24 +0000"
  {
    pattern: new RegExp(String.raw`^(?:[a-z]{3},?\s+)?(\d{1,2})\s+([a-z]{3})\s+(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*${ZONE}?$`, 'i'),
    parts: (m) => [m[3], month(m[2]!), m[1], m[4], m[5], m[6], undefined, undefined, m[7]],
  },
];
function month(name: string): string | undefined {
  const i = MONTHS.indexOf(name.toLowerCase());
  return i < 0 ? undefined : String(i + 1);
}
/** A written zone's offset from UTC in ms; null for one no place has (beyond ±14:00). */
function zoneOffsetMs(zone: string): number | null {
  if (/^(Z|UTC|GMT|UT)$/i.test(zone)) return 0;
  const [, sign, hh, mm] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  if (Number(hh) > 14 || Number(mm ?? 0) > 59) return null;
  return (sign === '-' ? -1 : 1) * (Number(hh) * 60 + Number(mm ?? 0)) * 60_000;
}

export const DATE_FORMATS = 'ISO 8601, YYYY-MM-DD HH:mm, M/D/YYYY H:mm, D.M.YYYY H:mm, unix s or ms, RFC 2822';

/**
 * The instant (ms) a date in one of the common formats names, read in `timeZone` when it
 * carries no zone of its own; null when it is in none of them or names no real day or time.
 */
export function parseTimestamp(raw: string, timeZone = 'UTC'): number | null {
  const s = raw.trim();
  if (/^\d{9,10}(?:\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  if (/^\d{12,13}$/.test(s)) return Number(s);
  for (const { pattern, parts } of FORMATS) {
    const m = pattern.exec(s);
    if (!m) continue;
    const [y, mo, d, h = '0', mi = '0', sec = '0', frac = '', ampm, zone] = parts(m);
    if (mo === undefined) return null;
    let hour = Number(h);
    if (ampm) {
      if (hour < 1 || hour > 12) return null;
      hour = (hour % 12) + (ampm.toUpperCase() === 'PM' ? 12 : 0);
    }
    const [Y, M, D, MI, S] = [Number(y), Number(mo), Number(d), Number(mi), Number(sec)];
    const wall = Date.UTC(Y, M - 1, D, hour, MI, S, Number(frac.padEnd(3, '0').slice(0, 3)));
    const date = new Date(wall);
    // Date.UTC rolls 2/30 over into March: a day that does not exist is not a date.
    if (date.getUTCFullYear() !== Y || date.getUTCMonth() !== M - 1 || date.getUTCDate() !== D || hour > 23 || MI > 59 || S > 59) return null;
    if (!zone) return wallToUtc(wall, timeZone);
    const offset = zoneOffsetMs(zone);
    return offset === null ? null : wall - offset;
  }
  return null;
}

const BRAND_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const squash = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

/**
 * A brand column's names as brand ids: matched to the configured ids ignoring case, spaces
 * and punctuation ("Virgin America" → virgin_america); with no brands configured, a name
 * that is an id once lower-cased (spaces as _) is taken as it is.
 */
export function brandResolver(configured: readonly string[]): (name: string) => { brand: string } | { error: string } {
  const byName = new Map(configured.map((id) => [squash(id), id]));
  return (name) => {
    if (configured.length) {
      const id = byName.get(squash(name));
      return id ? { brand: id } : { error: `brand "${name}" is none of the configured brands (${configured.join(', ')})${suggestion(name, configured)}` };
    }
    const id = name.trim().toLowerCase().replace(/\s+/g, '_');
    return BRAND_ID.test(id) ? { brand: id } : { error: `brand "${name}" cannot be a brand id (lower-case letters, digits, - and _)` };
  };
}

/**
 * A CSV's rows as candidate mentions. With no options, the standard columns (`csvMentions`);
 * with any, a file from another tool: columns renamed by `map` (columns already named like a
 * field are taken as that field), dates in the common formats read in `timezone`, brand
 * names matched to brand ids, `source` for every row when there is no source column, and
 * author_id "unknown" when there is no author column. A row whose date or brand cannot be
 * read comes back as an error with its line; the ingestor validates the rest.
 */
export function csvImport(text: string, options?: CsvImportOptions): CsvImport {
  if (!options || (!options.map && !options.timezone && !options.source)) {
    try {
      return { items: csvMentions(text), notes: [], madeUpAuthors: 0 };
    } catch (err) {
      throw new CsvMappingError(
        `${(err as Error).message}. A file from another tool needs a column map, e.g. --map id=tweet_id,created_at=tweet_created (docs/importing.md)`,
      );
    }
  }
  const timeZone = checkTimeZone(options.timezone ?? 'UTC');
  if (options.source !== undefined && !/^[a-z0-9][a-z0-9_.-]{0,63}$/.test(options.source))
    throw new CsvMappingError(`source "${options.source}" must be a lower-case source name such as "twitter" or "trustpilot"`);
  const [header, ...rows] = parseCsvRecords(text.replace(/^\uFEFF/, ''));
  if (!header) return { items: [], notes: [], madeUpAuthors: 0 };
  if (header.error) throw new CsvMappingError(`CSV header (line ${header.line}): ${header.error}`);
  const names = header.cells.map((h) => h.trim());
  const lower = names.map((n) => n.toLowerCase());
  const columnOf: Partial<Record<CsvColumn, number>> = {};
  for (const field of CSV_COLUMNS) if (lower.includes(field)) columnOf[field] = lower.indexOf(field);
  for (const [field, column] of Object.entries(options.map ?? {})) {
    const at = lower.indexOf(column.toLowerCase());
    if (at < 0)
      throw new CsvMappingError(`the file has no column "${column}" (mapped to ${field})${suggestion(column, names)}; its columns are ${names.join(', ')}`);
    columnOf[field as CsvColumn] = at;
  }
  const missing = (['id', 'text', 'created_at'] as const).filter((f) => columnOf[f] === undefined);
  if (missing.length)
    throw new CsvMappingError(
      `no column for ${missing.join(', ')}: map ${missing.length > 1 ? 'them' : 'it'} with --map ${missing.map((f) => `${f}=COLUMN`).join(',')}; the file's columns are ${names.join(', ')}`,
    );
  if (columnOf.source === undefined && !options.source)
    throw new CsvMappingError(
      'the file has no source column: give every row one with --source twitter (any lower-case source name) or map a column with --map source=COLUMN',
    );
  const notes: string[] = [];
  const used = new Set(Object.values(columnOf));
  const ignored = names.filter((_, i) => !used.has(i));
  if (ignored.length) notes.push(`columns not mapped, ignored: ${ignored.join(', ')}`);
  if (columnOf.source === undefined) notes.push(`source "${options.source}" for every row (no source column)`);
  const hasAuthor = columnOf.author_id !== undefined || columnOf.author_handle !== undefined;
  const resolveBrand = brandResolver(options.brands ?? []);
  const dateColumn = names[columnOf.created_at!];
  const items = rows.map(({ line, cells, error }, index): BodyItem & { line: number } => {
    if (error) return { index, line, error: `not a CSV record: ${error}`, category: 'invalid_csv' };
    const cell = (f: CsvColumn) => {
      const at = columnOf[f];
      const v = at === undefined ? undefined : cells[at];
      return v === undefined || v.trim() === '' ? undefined : v.trim();
    };
    const rawDate = cell('created_at');
    const t = rawDate === undefined ? null : parseTimestamp(rawDate, timeZone);
    if (t === null)
      return {
        index,
        line,
        error:
          rawDate === undefined
            ? `created_at: column ${dateColumn} is empty`
            : `created_at: "${rawDate}" (column ${dateColumn}) is not a date in a known format: ${DATE_FORMATS}`,
        category: 'schema',
      };
    const brands: string[] = [];
    for (const name of cell('brands')?.split(/[;|]/) ?? []) {
      if (!name.trim()) continue;
      const r = resolveBrand(name.trim());
      if ('error' in r) return { index, line, error: r.error, category: 'unmatched' };
      brands.push(r.brand);
    }
    const get = (f: CsvColumn): string | undefined => {
      if (f === 'created_at') return new Date(t).toISOString();
      if (f === 'source') return cell('source') ?? options.source;
      if (f === 'author_id') return cell('author_id') ?? cell('author_handle') ?? (hasAuthor ? undefined : MADE_UP_AUTHOR);
      if (f === 'brands') return brands.length ? brands.join(';') : undefined;
      if (f === 'text') return columnOf.text === undefined ? '' : (cells[columnOf.text] ?? '');
      return cell(f);
    };
    return { index, line, value: csvRowMention(get) };
  });
  const madeUpAuthors = hasAuthor ? 0 : items.filter((i) => 'value' in i).length;
  return { items, notes, madeUpAuthors };
}

/** Every brand id configured: EARSHOT_BRANDS and the brands file's entries. */
export function configuredBrandIds(envBrands: Record<string, unknown>, fileBrands: Record<string, unknown> = {}): string[] {
  return [...new Set([...Object.keys(envBrands), ...Object.keys(fileBrands)])];
}
