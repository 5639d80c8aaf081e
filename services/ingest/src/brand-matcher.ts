import { z } from 'zod';
import { parseBrandQuery, type BrandQuery, type QueryTarget } from './brand-query.js';

/** Decides which brands a mention is about; null means none, and the mention is dropped. */
export type BrandMatcher = (mention: QueryTarget & { brands?: string[] }) => string[] | null;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Keyword lists per brand, matched case-insensitively on whole words (so "acme"
 * matches "@Acme" and "acme's" but not "acmetools"). Brands a producer already set
 * are kept. With no brands configured every mention passes with the brands it carries.
 */
export function createBrandMatcher(brands: Record<string, string[]>, queries: Record<string, BrandQuery> = {}): BrandMatcher {
  const compiled: { brand: string; test: (m: QueryTarget) => boolean }[] = Object.entries(brands).map(([brand, keywords]) => {
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${keywords.map(escape).join('|')})(?![\\p{L}\\p{N}_])`, 'iu');
    return { brand, test: (m) => pattern.test(m.title ? `${m.title}\n${m.text}` : m.text) };
  });
  for (const [brand, query] of Object.entries(queries)) compiled.push({ brand, test: query });
  return (mention) => {
    if (mention.brands && mention.brands.length > 0) return mention.brands;
    if (compiled.length === 0) return mention.brands ?? [];
    const matched = [...new Set(compiled.filter((c) => c.test(mention)).map((c) => c.brand))];
    return matched.length > 0 ? matched : null;
  };
}

/**
 * Brand queries from a JSON file, `{"brands": [{"id": "acme", "query": "acme OR @acmemobile"}]}`,
 * parsed once at start; a bad one stops the process naming the brand and the column.
 */
export function loadBrandQueries(path: string, read: (p: string) => string): Record<string, BrandQuery> {
  let json: unknown;
  try {
    json = JSON.parse(read(path));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`);
  }
  const file = BrandQueriesFileSchema.safeParse(json);
  if (!file.success) throw new Error(`${path}: ${file.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const out: Record<string, BrandQuery> = {};
  for (const b of file.data.brands) {
    try {
      out[b.id] = parseBrandQuery(b.query);
    } catch (err) {
      throw new Error(`${path}: brand ${b.id}: ${(err as Error).message}`);
    }
  }
  return out;
}

const BrandQueriesFileSchema = z.object({
  brands: z.array(z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'brand ids are lower-case letters, digits, - and _'), query: z.string() })),
});
