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

/** Links, mentions and hashtags: no language in them. */
const MARKUP = /https?:\/\/\S+|@\w+|#\w+/g;

const SCRIPTS: [RegExp, string][] = [
  [/[\u0600-\u06FF]/, 'ar'],
  [/[\u0900-\u097F]/, 'hi'],
  [/[\u3040-\u30FF]/, 'ja'],
  [/[\uAC00-\uD7AF]/, 'ko'],
  [/[\u4E00-\u9FFF]/, 'zh'],
  [/[\u0400-\u04FF]/, 'ru'],
  [/[\u0E00-\u0E7F]/, 'th'],
  [/[\u0590-\u05FF]/, 'he'],
  [/[\u0370-\u03FF]/, 'el'],
];

/**
 * Language of a text: the trained head when it is fairly sure (it knows the seven
 * languages of its training data; a less sure call against English is checked with
 * franc), otherwise franc's trigram model over 80 languages, with a script check first
 * for scripts that settle it. 'und' when nothing can tell.
 */
export function detectLanguage(text: string, head: Record<string, number> | undefined): string {
  const letters = text.replace(MARKUP, '').replace(/[^\p{L}]/gu, '');
  if (letters.length < 3) return 'und';
  const sample = letters.slice(0, 400);
  let counts = 0;
  let best: string | null = null;
  for (const [re, code] of SCRIPTS) {
    const n = (sample.match(new RegExp(re.source, 'g')) ?? []).length;
    if (n > counts) ((counts = n), (best = code));
  }
  if (best && counts > sample.length / 2 && best !== 'ar' && best !== 'hi') return best;
  if (head) {
    const [code, p] = Object.entries(head).reduce((a, b) => (b[1] > a[1] ? b : a));
    if (p >= 0.9 || (p >= 0.45 && code === 'en')) return code;
    // A short English tweet that shares words with another language ("totally not cool") is
    // where the head errs; below 0.9, franc, asked only "English or that?", has the last word.
    if (p >= 0.45) return franc(text.replace(MARKUP, ' '), { minLength: 10, only: ['eng', ISO1_TO_3[code] ?? code] }) === 'eng' ? 'en' : code;
  }
  const guess = franc(text, { minLength: 10 });
  return ISO3_TO_1[guess] ?? (guess === 'und' ? 'und' : guess);
}
