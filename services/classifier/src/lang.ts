import { franc } from 'franc-min';

/** ISO 639-3 codes franc returns → the ISO 639-1 codes Earshot reports. */
const ISO3_TO_1: Record<string, string> = {
  eng: 'en',
  spa: 'es',
  por: 'pt',
  fra: 'fr',
  deu: 'de',
  ita: 'it',
  nld: 'nl',
  arb: 'ar',
  hin: 'hi',
  rus: 'ru',
  ukr: 'uk',
  pol: 'pl',
  tur: 'tr',
  cmn: 'zh',
  jpn: 'ja',
  kor: 'ko',
  ind: 'id',
  vie: 'vi',
  tha: 'th',
  swe: 'sv',
  ron: 'ro',
  ces: 'cs',
  hun: 'hu',
  ell: 'el',
  heb: 'he',
  pes: 'fa',
  ben: 'bn',
  urd: 'ur',
  tam: 'ta',
  tel: 'te',
  mar: 'mr',
  zlm: 'ms',
  tgl: 'tl',
  swh: 'sw',
};

const ISO1_TO_3: Record<string, string> = Object.fromEntries(Object.entries(ISO3_TO_1).map(([three, one]) => [one, three]));

/** Common romanised Hindi function words, rare in English. */
const HINDI_WORDS =
  /\b(hai|hain|nahi|nahin|nhi|kya|kyun|kyu|aur|bhi|mein|yeh|toh|koi|kuch|mera|meri|tera|teri|apna|accha|acha|bahut|bohot|hota|hoga|raha|rahi|gaya|gayi|diya|liya|wala|wali|abhi|yaar|bhai|kaise|kab|kaha|kahan|sab|tum|aap|hum)\b/i;

/** Links, mentions and hashtags: no language in them. */
const MARKUP = /https?:\/\/\S+|@\w+|#\w+/g;

const LATIN_ONLY = /^[\u0000-\u024F]*$/;

// Global, so match() counts; compiled once (this runs for every mention).
const SCRIPTS: [RegExp, string][] = [
  [/[\u0600-\u06FF]/g, 'ar'],
  [/[\u0900-\u097F]/g, 'hi'],
  [/[\u3040-\u30FF]/g, 'ja'],
  [/[\uAC00-\uD7AF]/g, 'ko'],
  [/[\u4E00-\u9FFF]/g, 'zh'],
  [/[\u0400-\u04FF]/g, 'ru'],
  [/[\u0E00-\u0E7F]/g, 'th'],
  [/[\u0590-\u05FF]/g, 'he'],
  [/[\u0370-\u03FF]/g, 'el'],
];

/**
 * Language of a text: the trained head when it is fairly sure (it knows the eight
 * languages of its training data, Hindi romanised; a less sure call against English is
 * checked with franc), otherwise franc's trigram model over 80 languages, with a script
 * check first for scripts that settle it. 'und' when nothing can tell.
 */
export function detectLanguage(text: string, head: Record<string, number> | undefined): string {
  const letters = text.replace(MARKUP, '').replace(/[^\p{L}]/gu, '');
  if (letters.length < 3) return 'und';
  const sample = letters.slice(0, 400);
  let counts = 0;
  let best: string | null = null;
  // Latin letters only (most mentions): no script check can settle it.
  for (const [re, code] of LATIN_ONLY.test(sample) ? [] : SCRIPTS) {
    const n = (sample.match(re) ?? []).length;
    if (n > counts) ((counts = n), (best = code));
  }
  if (best && counts > sample.length / 2 && best !== 'ar' && best !== 'hi') return best;
  if (head) {
    // Romanised Hindi is code-mixed with English, and half of UMSAB's Hindi tweets are
    // Indian English: the head's 'hi' counts only with a Hindi word in the text.
    if ((head.hi ?? 0) >= 0.5 && HINDI_WORDS.test(text)) return 'hi';
    const rest = 1 - (head.hi ?? 0) || 1;
    const [code, p] = Object.entries(head)
      .filter(([c]) => c !== 'hi')
      .map(([c, q]) => [c, q / rest] as const)
      .reduce((a, b) => (b[1] > a[1] ? b : a));
    if (p >= 0.9 || (p >= 0.45 && code === 'en')) return code;
    // A short English tweet that shares words with another language ("totally not cool") is
    // where the head errs; below 0.9, franc, asked only "English or that?", has the last word.
    if (p >= 0.45) return franc(text.replace(MARKUP, ' '), { minLength: 10, only: ['eng', ISO1_TO_3[code] ?? code] }) === 'eng' ? 'en' : code;
  }
  const guess = franc(text, { minLength: 10 });
  return ISO3_TO_1[guess] ?? (guess === 'und' ? 'und' : guess);
}
