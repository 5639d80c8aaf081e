/** Decides which brands a mention is about; null means none, and the mention is dropped. */
export type BrandMatcher = (mention: { text: string; title?: string; brands?: string[] }) => string[] | null;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Keyword lists per brand, matched case-insensitively on whole words (so "acme"
 * matches "@Acme" and "acme's" but not "acmetools"). Brands a producer already set
 * are kept. With no brands configured every mention passes with the brands it carries.
 */
export function createBrandMatcher(brands: Record<string, string[]>): BrandMatcher {
  const compiled = Object.entries(brands).map(([brand, keywords]) => ({
    brand,
    pattern: new RegExp(`(?<![\\p{L}\\p{N}_])(?:${keywords.map(escape).join('|')})(?![\\p{L}\\p{N}_])`, 'iu'),
  }));
  return (mention) => {
    if (mention.brands && mention.brands.length > 0) return mention.brands;
    if (compiled.length === 0) return mention.brands ?? [];
    const haystack = mention.title ? `${mention.title}\n${mention.text}` : mention.text;
    const matched = compiled.filter((c) => c.pattern.test(haystack)).map((c) => c.brand);
    return matched.length > 0 ? matched : null;
  };
}
