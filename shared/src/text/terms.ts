/**
 * The one definition of a term: what the alerts' and event reports' rising words
 * (`topTerms`) and the `complaint_terms_1h` rollup behind the ops dashboard count. The
 * rollup's view (migration 015) spells the same rules in ClickHouse SQL; `terms.test.ts`
 * checks on chDB that both give the same words.
 */
export const STOP_WORDS: readonly string[] = (
  'the a an and or but is are was were be been to of in on for at by with from it its this that i me my you your we our they them he she his her ' +
  "not no so just again still very really too can cant can't dont don't do does did have has had get got im i'm what why how when who all any some " +
  'more most will would could should about out up down off over than then there here being am as if into only also via user http https amp'
).split(' ');

const STOP = new Set(STOP_WORDS);
/** Links and @handles name no topic. (ClickHouse's RE2 reads \S and \w as ASCII, as JavaScript does here.) */
export const LINK_OR_HANDLE = /https?:\/\/\S+|@\w+/gu;
/** A letter, then two or more letters, digits, apostrophes or hyphens. */
export const TERM = /[\p{L}][\p{L}\p{N}'-]{2,}/gu;

/** The terms of one text, in order, repeats kept. */
export function termsOf(text: string): string[] {
  return (
    text
      .toLowerCase()
      .replace(LINK_OR_HANDLE, ' ')
      .match(TERM)
      ?.filter((w) => !STOP.has(w)) ?? []
  );
}
