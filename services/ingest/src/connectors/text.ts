import { createHash } from 'node:crypto';
import { wallToUtc } from '@earshot/shared';

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

/** Plain text from the HTML that Mastodon, Hacker News and feeds send: tags dropped, breaks kept, entities decoded. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|h\d)>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) => {
      if (name[0] === '#') {
        const code = name[1]?.toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name.toLowerCase()] ?? whole;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** A mention id no longer than the contract allows: the value itself, or a hash of it. */
/** A scalar from untrusted JSON as text (numbers, booleans too); objects and arrays give `fallback`, never "[object Object]". */
export function scalarText(v: unknown, fallback = ''): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return fallback;
}

export function boundedId(value: string, max = 256): string {
  return value.length <= max ? value : `sha1:${createHash('sha1').update(value).digest('hex')}`;
}

/**
 * A wall-clock time with no zone ("2026-11-20 08:14:03", as Yelp sends) read in an IANA
 * zone, as UTC milliseconds.
 */
export function zonedToUtc(local: string, timeZone: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!m) return NaN;
  return wallToUtc(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0)), timeZone);
}

/** Numeric ids as strings (snowflakes) compared by value without losing precision. */
export function compareNumericIds(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/** Splits a list into chunks of at most `size` (for lookups by id that take N at a time). */
export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A post longer than a mention may hold (a Reddit self post, a full RSS article) is kept,
 * cut to the limit and flagged (`metadata.truncated`, with the original length), rather
 * than rejected: the start of a long post is still what a listener needs.
 */
export function fitText<M extends { text: string; metadata?: Record<string, unknown> }>(m: M, max: number): M {
  if (m.text.length <= max) return m;
  let cut = m.text.slice(0, max - 1);
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return { ...m, text: `${cut}…`, metadata: { ...m.metadata, truncated: true, original_length: m.text.length } };
}
