import { termsOf } from '@earshot/shared';

/**
 * Story labels by class-based TF-IDF (c-TF-IDF): a story's words weighted by how much
 * more often they occur in it than across all stories. A bigram that most of the story's
 * mentions share reads best ("card arrival"); else the two top words.
 */
const MAX_TERMS_PER_STORY = 400;
/** Terms counted across all stories before those seen once are dropped: a stream runs for months. */
const MAX_OVERALL_TERMS = 1_000_000;

interface Counts {
  mentions: number;
  terms: Map<string, number>;
}

export class StoryLabels {
  private readonly stories = new Map<string, Counts>();
  private readonly overall = new Map<string, number>();
  private totalTerms = 0;

  add(story: string, text: string): void {
    let c = this.stories.get(story);
    if (!c) this.stories.set(story, (c = { mentions: 0, terms: new Map() }));
    c.mentions++;
    const words = [...new Set(termsOf(text))];
    const grams = [...words, ...words.slice(1).map((w, i) => `${words[i]} ${w}`)];
    for (const g of grams) {
      c.terms.set(g, (c.terms.get(g) ?? 0) + 1);
      this.overall.set(g, (this.overall.get(g) ?? 0) + 1);
      this.totalTerms++;
    }
    if (this.overall.size > MAX_OVERALL_TERMS) for (const [g, n] of this.overall) if (n === 1) this.overall.delete(g);
    // Bounded memory: the rarest terms of a long story never label it.
    if (c.terms.size > 2 * MAX_TERMS_PER_STORY) {
      const kept = [...c.terms].sort((a, b) => b[1] - a[1]).slice(0, MAX_TERMS_PER_STORY);
      c.terms = new Map(kept);
    }
  }

  /** Folds a merged story's counts into the story it merged into. */
  merge(from: string, into: string): void {
    const f = this.stories.get(from);
    if (!f || from === into) return;
    this.stories.delete(from);
    let t = this.stories.get(into);
    if (!t) this.stories.set(into, (t = { mentions: 0, terms: new Map() }));
    t.mentions += f.mentions;
    for (const [g, n] of f.terms) t.terms.set(g, (t.terms.get(g) ?? 0) + n);
  }

  forget(story: string): void {
    this.stories.delete(story);
  }

  label(story: string): string {
    const c = this.stories.get(story);
    if (!c || c.terms.size === 0) return '';
    const avg = this.totalTerms / Math.max(1, this.stories.size);
    const score = (g: string, n: number) => n * Math.log(1 + avg / (this.overall.get(g) ?? n));
    let bigram = '';
    let bigramScore = 0;
    const unigrams: [string, number][] = [];
    for (const [g, n] of c.terms) {
      const s = score(g, n);
      if (g.includes(' ')) {
        if (n >= Math.max(2, 0.25 * c.mentions) && s > bigramScore) [bigram, bigramScore] = [g, s];
      } else unigrams.push([g, s]);
    }
    if (bigram) return bigram;
    unigrams.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    return unigrams
      .slice(0, 2)
      .map(([g]) => g)
      .join(' ');
  }
}
