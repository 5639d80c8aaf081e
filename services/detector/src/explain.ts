import { topTerms, type DetectorQueries } from '@earshot/shared';
import type { Firing } from './alert-book.js';

const MIN = 60_000;

type Explanation = NonNullable<Firing['explanation']>;

/** What explains a finding's window: the mentions to sample, the rising terms, and the explanation stored with the alert. */
export type Explain = (
  from: number,
  to: number,
  filter: { intent?: string; sentiment?: string; source?: string; story?: string },
) => Promise<{ window: { source: string; id: string; url: string }[]; terms: string[]; explanation: Explanation }>;

/**
 * What a spike is about: the words that rose in the window against the brand's past week,
 * and where it is said, read over the same span the finding counted. The week's baseline is read once per window start within a run,
 * however many of the brand's alerts share it.
 */
export function explainer(queries: DetectorQueries, brand: string): Explain {
  const baselines = new Map<number, Promise<string[]>>();
  return async (from, to, filter) => {
    let baseline = baselines.get(from);
    if (!baseline)
      baselines.set(from, (baseline = queries.windowMentions(brand, from - 7 * 1440 * MIN, from, {}, 3000).then((rows) => rows.map((r) => r.text))));
    // The words from the window's most engaged 300 posts; the sources and stories from all of its mentions.
    const [window, stories, sources] = await Promise.all([
      queries.windowMentions(brand, from, to, filter, 300),
      queries.windowStories(brand, from, to, filter, 3),
      queries.windowSources(brand, from, to, filter),
    ]);
    const terms = topTerms(
      window.map((r) => r.text),
      await baseline,
    );
    return { window, terms, explanation: { terms, sources, ...(stories.length ? { stories } : {}) } };
  };
}

const samples = (rows: { source: string; id: string; url: string }[]) => rows.map((r) => ({ source: r.source, id: r.id, ...(r.url ? { url: r.url } : {}) }));

const about = (terms: string[]) => (terms.length ? `; about ${terms.map((t) => `"${t}"`).join(', ')}` : '');

/**
 * The stories carrying a window, as the summary's headline: the top one when it holds half
 * of it (`; story "payment declined": 143 of 152`), else the top two (`; stories "a" (40) and "b" (31) of 152`).
 */
export function storyLine(e: Explanation): string {
  const named = (e.stories ?? []).filter((s) => s.label);
  const total = e.sources.reduce((n, s) => n + s.mentions, 0);
  const [top, next] = named;
  if (!top) return '';
  if (top.mentions * 2 >= total || !next) return `; story "${top.label}": ${top.mentions} of ${total}`;
  return `; stories "${top.label}" (${top.mentions}) and "${next.label}" (${next.mentions}) of ${total}`;
}

/** A firing with its window's explanation: the story line and rising terms after its summary, its samples from the window. */
export function explained(firing: Firing, e: Awaited<ReturnType<Explain>>): Firing {
  // An emerging story's summary names its story already: its window is that story's mentions.
  const line = firing.kind === 'emerging_story' ? '' : storyLine(e.explanation);
  return { ...firing, summary: firing.summary + line + about(e.terms), samples: samples(e.window.slice(0, 5)), explanation: e.explanation };
}

/** What the company itself did just before an alert, after its summary: ` (possibly linked to "Spring sale", 09:00 UTC)`. */
export const eventLine = (event: { title: string; starts_at: number }) =>
  ` (possibly linked to "${event.title}", ${new Date(event.starts_at).toISOString().slice(11, 16)} UTC)`;
