import { LINK_OR_HANDLE, STOP_WORDS, TERM } from '@earshot/shared';

/**
 * Story labels by class-based TF-IDF (c-TF-IDF) over the brand's stories: a story's words
 * weighted by how much more often they occur in it than across all stories. The label is
 * the key phrase that most of the story's mentions share ("app crashed at checkout"): 2 to
 * 4 words in a row within a clause, starting and ending on a word that is no stopword,
 * scored by its count times the mean weight of its words; else the two top words.
 */
const MAX_TERMS_PER_STORY = 400;
/** Terms counted across all stories before those seen once are dropped: a stream runs for months. */
const MAX_OVERALL_TERMS = 1_000_000;
/** Texts whose terms are kept for reuse (a stream's reposts); past it the cache starts again. */
const MAX_CACHED_TEXTS = 20_000;
/** Words in a phrase, at most. */
const MAX_PHRASE = 4;
/** Share of the story's mentions (and at least 2) a phrase must be in to name it. */
const PHRASE_SHARE = 0.25;

const STOP = new Set(STOP_WORDS);
const WORD = /[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu;
/** A clause ends at punctuation other than an apostrophe or a hyphen: a phrase never spans two. */
const CLAUSE = /[^\p{L}\p{N}\s'’-]+/u;
const WHOLE_TERM = new RegExp(`^${TERM.source}$`, 'u');
const isTerm = (w: string) => !STOP.has(w) && WHOLE_TERM.test(w);

/** A text's terms (the alerts' words) and its phrases, each once. */
export function termsAndPhrases(text: string): { terms: string[]; phrases: string[] } {
  const terms = new Set<string>();
  const phrases = new Set<string>();
  for (const clause of text.toLowerCase().replace(LINK_OR_HANDLE, ' ').split(CLAUSE)) {
    const words = clause.match(WORD) ?? [];
    const term = words.map(isTerm);
    for (let i = 0; i < words.length; i++) {
      if (!term[i]) continue;
      terms.add(words[i]!);
      for (let j = i + 1; j < Math.min(words.length, i + MAX_PHRASE); j++) if (term[j]) phrases.add(words.slice(i, j + 1).join(' '));
    }
  }
  return { terms: [...terms], phrases: [...phrases] };
}

type Grams = { terms: string[]; phrases: string[] };

interface Counts {
  mentions: number;
  terms: Map<string, number>;
  /**
   * Texts added since the story's terms were last counted, with how many times: a stream's
   * reposts then cost a count each, not one per word (the story's terms are read only when
   * it is labelled or merged). In the order first added, so its terms enter `terms` in the
   * order they would have one by one.
   */
  pending: Map<Grams, number>;
  /** Most terms `pending` can add to `terms` (its texts' words and phrases). */
  pendingGrams: number;
}

export class StoryLabels {
  private readonly stories = new Map<string, Counts>();
  private readonly overall = new Map<string, number>();
  private totalTerms = 0;
  private readonly grams = new Map<string, { terms: string[]; phrases: string[] }>();

  add(story: string, text: string): void {
    let c = this.stories.get(story);
    if (!c) this.stories.set(story, (c = { mentions: 0, terms: new Map(), pending: new Map(), pendingGrams: 0 }));
    c.mentions++;
    const grams = this.gramsOf(text);
    // The counts across stories at once: every label reads them.
    for (const g of grams.terms) {
      this.overall.set(g, (this.overall.get(g) ?? 0) + 1);
      this.totalTerms++;
    }
    if (this.overall.size > MAX_OVERALL_TERMS) for (const [g, n] of this.overall) if (n === 1) this.overall.delete(g);
    const n = c.pending.get(grams);
    if (n !== undefined) {
      c.pending.set(grams, n + 1);
      return;
    }
    // Put off only while the story's terms cannot pass the trim below meanwhile, so the
    // trim comes where it would have and keeps the same terms.
    const size = grams.terms.length + grams.phrases.length;
    if (c.terms.size + c.pendingGrams + size <= 2 * MAX_TERMS_PER_STORY) {
      c.pending.set(grams, 1);
      c.pendingGrams += size;
      return;
    }
    this.countPending(c);
    this.count(c, grams, 1);
    // Bounded memory: the rarest terms of a long story never label it.
    if (c.terms.size > 2 * MAX_TERMS_PER_STORY) {
      const kept = [...c.terms].sort((a, b) => b[1] - a[1]).slice(0, MAX_TERMS_PER_STORY);
      c.terms = new Map(kept);
    }
  }

  private count(c: Counts, grams: Grams, n: number): void {
    for (const g of grams.terms) c.terms.set(g, (c.terms.get(g) ?? 0) + n);
    for (const g of grams.phrases) c.terms.set(g, (c.terms.get(g) ?? 0) + n);
  }

  private countPending(c: Counts): void {
    if (c.pending.size === 0) return;
    for (const [grams, n] of c.pending) this.count(c, grams, n);
    c.pending.clear();
    c.pendingGrams = 0;
  }

  /** A text's terms and phrases, cached: in a stream the same text (a repost) comes back again and again. */
  private gramsOf(text: string): Grams {
    let grams = this.grams.get(text);
    if (grams) return grams;
    grams = termsAndPhrases(text);
    if (this.grams.size >= MAX_CACHED_TEXTS) this.grams.clear();
    this.grams.set(text, grams);
    return grams;
  }

  /** Folds a merged story's counts into the story it merged into. */
  merge(from: string, into: string): void {
    const f = this.stories.get(from);
    if (!f || from === into) return;
    this.countPending(f);
    this.stories.delete(from);
    let t = this.stories.get(into);
    if (!t) this.stories.set(into, (t = { mentions: 0, terms: new Map(), pending: new Map(), pendingGrams: 0 }));
    this.countPending(t);
    t.mentions += f.mentions;
    for (const [g, n] of f.terms) t.terms.set(g, (t.terms.get(g) ?? 0) + n);
  }

  forget(story: string): void {
    this.stories.delete(story);
  }

  label(story: string): string {
    const c = this.stories.get(story);
    if (c) this.countPending(c);
    if (!c || c.terms.size === 0) return '';
    const avg = this.totalTerms / Math.max(1, this.stories.size);
    const weight = (w: string) => Math.log(1 + avg / (this.overall.get(w) ?? 1));
    let phrase = '';
    let phraseScore = 0;
    const terms: [string, number][] = [];
    for (const [g, n] of c.terms) {
      if (!g.includes(' ')) terms.push([g, n * weight(g)]);
      else if (n >= Math.max(2, PHRASE_SHARE * c.mentions)) {
        // Its words' mean weight: a brand's name, in all its stories, drags a phrase down; ties go to the phrase met first.
        let s = 0;
        let k = 0;
        for (const w of g.split(' ')) if (this.overall.has(w)) [s, k] = [s + weight(w), k + 1];
        const score = (n * s) / k;
        if (score > phraseScore) [phrase, phraseScore] = [g, score];
      }
    }
    if (phrase) return phrase;
    terms.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return terms
      .slice(0, 2)
      .map(([g]) => g)
      .join(' ');
  }
}
