const STOP = new Set(
  "the a an and or but is are was were be been to of in on for at by with from it its this that i me my you your we our they them he she his her not no so just again still very really too can cant can't dont don't do does did have has had get got im i'm what why how when who all any some more most will would could should about out up down off over than then there here been being am as if into only also via user http https amp".split(
    ' ',
  ),
);

const words = (text: string) =>
  text
    .toLowerCase()
    .replace(/https?:\/\/\S+|@\w+/g, ' ')
    .match(/[\p{L}][\p{L}\p{N}'-]{2,}/gu)
    ?.filter((w) => !STOP.has(w)) ?? [];

/**
 * The words that say what a surge is about: frequent in the surge window and much
 * rarer in the brand's usual conversation (smoothed lift, each word once per text).
 */
export function topTerms(windowTexts: string[], baselineTexts: string[], k = 3): string[] {
  const count = (texts: string[]) => {
    const m = new Map<string, number>();
    for (const t of texts) for (const w of new Set(words(t))) m.set(w, (m.get(w) ?? 0) + 1);
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
