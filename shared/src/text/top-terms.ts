import { termsOf } from './terms.js';

/**
 * The words that say what a surge is about: frequent in the surge window and much
 * rarer in the brand's usual conversation (smoothed lift, each word once per text).
 */
export function topTerms(windowTexts: string[], baselineTexts: string[], k = 3): string[] {
  const count = (texts: string[]) => {
    const m = new Map<string, number>();
    for (const t of texts) for (const w of new Set(termsOf(t))) m.set(w, (m.get(w) ?? 0) + 1);
    return m;
  };
  const win = count(windowTexts);
  const base = count(baselineTexts);
  const nw = Math.max(1, windowTexts.length);
  const nb = Math.max(1, baselineTexts.length);
  return [...win.entries()]
    .filter(([, c]) => c >= 2)
    .map(([w, c]) => ({ w, lift: (c / nw / (((base.get(w) ?? 0) + 1) / (nb + 1))) * Math.log(1 + c) }))
    .sort((a, b) => b.lift - a.lift)
    .slice(0, k)
    .map((x) => x.w);
}
