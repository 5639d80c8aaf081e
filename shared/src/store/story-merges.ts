import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import type { EnrichedMention } from '../schemas.js';
import { selectRows, toClickHouseTime } from './rows.js';

/** One row of `story_merges` (migration 022): `from_story` now reads as `into_story`. */
export const StoryMergeRowSchema = z.object({
  brand: z.string(),
  from_story: z.string(),
  into_story: z.string(),
  at: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/),
});
export type StoryMergeRow = z.infer<typeof StoryMergeRowSchema>;

/** The merges enriched mentions carry, as rows (a story is its mention's first brand's; `at`: that mention's event time). */
export function storyMergeRows(mentions: readonly EnrichedMention[]): StoryMergeRow[] {
  const rows: StoryMergeRow[] = [];
  for (const m of mentions)
    if (m.story_merges)
      for (const x of m.story_merges) rows.push({ brand: m.brands[0] ?? '', from_story: x.from, into_story: x.into, at: toClickHouseTime(m.created_at) });
  return rows;
}

/**
 * A brand's merged stories, chains followed: if A merged into B and B later into C, A and B
 * both read as C. The query parameters map any `story_id` column to its survivor with
 * `SURVIVOR` (unchanged when it never merged).
 */
export class MergedStories {
  private readonly survivors = new Map<string, string>();

  constructor(merges: Iterable<readonly [from: string, into: string]>) {
    const into = new Map(merges);
    for (const from of into.keys()) {
      // Ids never repeat, so a chain ends; the guard only stops a corrupt row looping.
      let cur = from;
      for (let hops = 0; into.has(cur) && hops <= into.size; hops++) cur = into.get(cur)!;
      this.survivors.set(from, cur);
    }
  }

  /** The story an id now reads as. */
  survivor(id: string): string {
    return this.survivors.get(id) ?? id;
  }

  /** A survivor and every story merged into it, the survivor first. */
  parts(id: string): string[] {
    const s = this.survivor(id);
    return [s, ...[...this.survivors].filter(([, to]) => to === s).map(([from]) => from)];
  }

  /** For `SURVIVOR(column)`: every story merged away and the story it reads as, in step. */
  params(): { merged_from: string[]; merged_into: string[] } {
    return { merged_from: [...this.survivors.keys()], merged_into: [...this.survivors.values()] };
  }
}

/** A `story_id` column read as its survivor's id; needs `MergedStories.params()`. */
export const SURVIVOR = (column: string) => `transform(${column}, {merged_from:Array(String)}, {merged_into:Array(String)}, ${column})`;

/**
 * `story_merges`, the stories the classifier found to be one (docs/stories.md, "Merged
 * stories"): the writer inserts what enriched mentions carry, readers load a brand's merges
 * (a few rows per story) and map every stored id to the story it went into.
 */
export class StoryMerges {
  constructor(private readonly client: ClickHouseClient) {}

  /** A brand's merges, chains followed. */
  async of(brand: string): Promise<MergedStories> {
    const rows = await selectRows<{ from_story: string; into_story: string }>(
      this.client,
      'SELECT from_story, any(into_story) AS into_story FROM story_merges WHERE brand = {brand:String} GROUP BY from_story',
      { brand },
    );
    return new MergedStories(rows.map((r) => [r.from_story, r.into_story] as const));
  }

  /** The brand whose story this id is or was, from its stored rows or its merges; null when unknown. */
  async brandOf(id: string): Promise<string | null> {
    const [r] = await selectRows<{ brand: string }>(
      this.client,
      `SELECT brand FROM (
         SELECT brand FROM stories WHERE story_id = {id:String} LIMIT 1
         UNION ALL
         SELECT brand FROM story_merges WHERE from_story = {id:String} OR into_story = {id:String} LIMIT 1
       ) LIMIT 1`,
      { id },
    );
    return r ? r.brand : null;
  }
}
