import { parseCsvRecords } from '@earshot/shared';
import type { BodyItem } from './parse-body.js';

/** Columns a backfill CSV may have; `id`, `source`, `text`, `created_at`, `author_id` are required. */
export const CSV_COLUMNS = [
  'id',
  'source',
  'text',
  'created_at',
  'author_id',
  'author_handle',
  'author_name',
  'author_followers',
  'url',
  'title',
  'lang',
  'brands',
  'likes',
  'shares',
  'replies',
  'views',
  'in_reply_to',
  'rating',
] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];
const REQUIRED = ['id', 'source', 'text', 'created_at', 'author_id'];

const num = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : Number(v));

/**
 * Mentions from a CSV with a header row (RFC 4180). Empty cells are absent fields,
 * `brands` is a list separated by ";" or "|". Each row comes back as a candidate for the
 * ingestor, which validates it like any other mention, with the line it starts on; a
 * record that cannot be read (a quote never closed) comes back as an error.
 */
export function csvMentions(text: string): (BodyItem & { line: number })[] {
  const [header, ...rows] = parseCsvRecords(text.replace(/^\uFEFF/, ''));
  if (!header) return [];
  if (header.error) throw new Error(`CSV header (line ${header.line}): ${header.error}`);
  const cols = header.cells.map((h) => h.trim().toLowerCase());
  const missing = REQUIRED.filter((r) => !cols.includes(r));
  if (missing.length) throw new Error(`CSV header lacks ${missing.join(', ')}; columns are ${CSV_COLUMNS.join(', ')}`);
  const unknown = cols.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length) throw new Error(`CSV header has unknown columns ${unknown.join(', ')}; columns are ${CSV_COLUMNS.join(', ')}`);
  return rows.map(({ line, cells, error }, index) => {
    if (error) return { index, line, error: `not a CSV record: ${error}`, category: 'invalid_csv' as const };
    const get = (c: CsvColumn) => {
      const v = cells[cols.indexOf(c)];
      return v === undefined || v === '' ? undefined : v;
    };
    return { index, line, value: csvRowMention(get) };
  });
}

/**
 * One row as a candidate mention, from its cells by column name (undefined: empty). Shared by
 * the standard columns and a mapped export (csv-mapping.ts), so both build the same mention.
 */
export function csvRowMention(get: (column: CsvColumn) => string | undefined): unknown {
  const engagement = { likes: num(get('likes')), shares: num(get('shares')), replies: num(get('replies')), views: num(get('views')) };
  const value = {
    id: get('id'),
    source: get('source'),
    text: get('text') ?? '',
    created_at: get('created_at'),
    author: { id: get('author_id'), handle: get('author_handle') ?? get('author_id'), name: get('author_name'), followers: num(get('author_followers')) },
    url: get('url'),
    title: get('title'),
    lang: get('lang'),
    brands: get('brands')
      ?.split(/[;|]/)
      .map((b) => b.trim())
      .filter(Boolean),
    engagement: Object.values(engagement).some((v) => v !== undefined)
      ? Object.fromEntries(Object.entries(engagement).filter(([, v]) => v !== undefined))
      : undefined,
    in_reply_to: get('in_reply_to'),
    rating: num(get('rating')),
  };
  return JSON.parse(JSON.stringify(value));
}
