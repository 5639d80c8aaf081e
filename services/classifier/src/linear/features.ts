/**
 * Text → hashed sparse features for the linear models: word unigrams and bigrams
 * (with negation scope marked), and character 2–5-grams of each word. Same code at
 * training and at inference, so the artefact and the runtime cannot drift apart.
 */

export interface FeatureOptions {
  /** log2 of the hashed feature space. */
  bits: number;
  /** Inclusive range of character n-gram lengths. */
  charMin: number;
  charMax: number;
}

export const DEFAULT_FEATURES: FeatureOptions = { bits: 18, charMin: 2, charMax: 5 };

/** Enough of a long post to decide; keeps the cost of a 100k-character text bounded. */
export const MAX_FEATURE_CHARS = 2_000;

const URL = /\bhttps?:\/\/\S+|\bwww\.\S+/g;
const USER = /@\w+/g;
const NUMBER = /\d+([.,]\d+)*/g;
const ELONGATED = /(\p{L})\1{2,}/gu;
const TOKEN = /#?[\p{L}\p{M}\p{N}_']+|[\p{Extended_Pictographic}\u{1F1E6}-\u{1F1FF}]|[:;=8xX][-o^']?[)(\]\[dDpP/\\|*]|<3|[!?]+|[.,;:]/gu;
const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'nothing',
  'nobody',
  'none',
  'nor',
  'neither',
  'cannot',
  'without',
  'hardly',
  'ni',
  'nie',
  'nicht',
  'kein',
  'keine',
  'non',
  'pas',
  'jamais',
  'nunca',
  'nada',
  'não',
  'nao',
  'mai',
]);
const SCOPE_END = /^[.,;:!?]+$/;
const LETTER = /\p{L}/u;

export function normalizeText(text: string): string {
  return text
    .slice(0, MAX_FEATURE_CHARS)
    .normalize('NFKC')
    .toLowerCase()
    .replace(URL, ' httpurl ')
    .replace(USER, ' @user ')
    .replace(NUMBER, '0')
    .replace(ELONGATED, '$1$1');
}

export function tokenize(normalized: string): string[] {
  return normalized.match(TOKEN) ?? [];
}

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a over s[start, end), continuing from `h`: hashes substrings without slicing them. */
function fnv1a(s: string, h = FNV_OFFSET, start = 0, end = s.length): number {
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

// Hash states after each feature kind's prefix: a feature's hash continues from its
// prefix over the token's characters, the same value as hashing "w:token" but with no
// string built per feature.
const CHAR_SEED = fnv1a('c:');
const WORD_SEED = fnv1a('w:');
const BIGRAM_SEED = fnv1a('b:');
const BIAS = fnv1a('bias:1');

let scratch = new Uint32Array(4096);
let count = 0;

function push(h: number, mask: number): void {
  if (count === scratch.length) {
    const bigger = new Uint32Array(scratch.length * 2);
    bigger.set(scratch);
    scratch = bigger;
  }
  scratch[count++] = h & mask;
}

/**
 * Feature indices of a text, repeated as often as a feature occurs (counts, not a
 * set: no dedupe on the hot path). The model divides by sqrt(n).
 */
export function featurize(text: string, opts: FeatureOptions = DEFAULT_FEATURES): Uint32Array {
  const mask = (1 << opts.bits) - 1;
  count = 0;
  const tokens = tokenize(normalizeText(text));
  let negated = false;
  let prev = '<s>';
  for (const raw of tokens) {
    if (SCOPE_END.test(raw)) negated = false;
    const isWord = LETTER.test(raw);
    const tok = negated && isWord ? `${raw}_neg` : raw;
    push(fnv1a(tok, WORD_SEED), mask);
    push(fnv1a(tok, fnv1a(' ', fnv1a(prev, BIGRAM_SEED))), mask);
    if (raw.startsWith('#')) push(fnv1a(raw, WORD_SEED, 1), mask);
    if (isWord) {
      const padded = `<${raw}>`;
      for (let len = opts.charMin; len <= opts.charMax; len++) for (let i = 0; i + len <= padded.length; i++) push(fnv1a(padded, CHAR_SEED, i, i + len), mask);
    }
    if (NEGATORS.has(raw) || raw.endsWith("n't")) negated = true;
    prev = tok;
  }
  push(fnv1a(' </s>', fnv1a(prev, BIGRAM_SEED)), mask);
  push(BIAS, mask);
  return scratch.slice(0, count);
}
