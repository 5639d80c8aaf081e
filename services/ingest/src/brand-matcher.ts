import type { BrandQuery, QueryTarget } from './brand-query.js';

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
 * Which brands' own accounts a mention involves: `speaker`, the brands whose account
 * wrote it; `addressed`, the brands whose account it @-mentions (a customer answering
 * @AcmeHelp is talking to Acme even when the word "acme" is not in it).
 */
export type AccountMatcher = (mention: { source: string; text: string; author: { id: string; handle: string } }) => { speaker: string[]; addressed: string[] };

const norm = (s: string) => s.trim().replace(/^@/, '').toLowerCase();

/** From each brand's declared accounts (`accounts: {twitter: [acmehelp]}` in the brands file). */
export function createAccountMatcher(accounts: Record<string, Record<string, string[]>>): AccountMatcher {
  const owners = new Map<string, string[]>();
  const handles: { brand: string; pattern: RegExp }[] = [];
  for (const [brand, bySource] of Object.entries(accounts))
    for (const [source, names] of Object.entries(bySource))
      for (const name of names) {
        const key = `${source}\u0000${norm(name)}`;
        owners.set(key, [...(owners.get(key) ?? []), brand]);
        handles.push({ brand, pattern: new RegExp(`(?<![\\p{L}\\p{N}_@])@${escape(norm(name))}(?![\\p{L}\\p{N}_])`, 'iu') });
      }
  if (owners.size === 0) return () => ({ speaker: [], addressed: [] });
  return (m) => ({
    speaker: [...new Set([...(owners.get(`${m.source}\u0000${norm(m.author.handle)}`) ?? []), ...(owners.get(`${m.source}\u0000${norm(m.author.id)}`) ?? [])])],
    addressed: [...new Set(handles.filter((h) => h.pattern.test(m.text)).map((h) => h.brand))],
  });
}
