import { TupleParam, type ClickHouseClient } from '@clickhouse/client';
import { MENTION_COPIES, deleteMentions } from './mention-copies.js';
import { definedOnly, toClickHouseTime, selectRows } from './rows.js';
import { StoryMerges } from './story-merges.js';
import { mentionKey } from '../topics/topic.js';

type Key = readonly [source: string, id: string];

/** Counts an engagement refresh may change in place. */
export const COUNT_COLUMNS = ['likes', 'shares', 'replies', 'views', 'author_followers'] as const;
export type CountColumn = (typeof COUNT_COLUMNS)[number];
const keysParam = (keys: readonly Key[]) => keys.map((k) => new TupleParam([...k]));

export interface MentionFilter {
  brand?: string;
  source?: string;
  sentiment?: string;
  intent?: string;
  lang?: string;
  /** Words in the text or title, any case. */
  q?: string;
  /** One story's mentions, those stored under stories merged into it included. */
  story?: string;
  /** Event time in [from, to). */
  from?: string | number | Date;
  to?: string | number | Date;
  /** Keyset paging: only mentions after this one in the list's order (newest first, then source, id). */
  after?: { created_at: string; source: string; id: string };
  limit: number;
  offset: number;
}

/**
 * The `mentions` table: for the writer, which keys are stored, the rows of some keys, the
 * conversations of some keys, engagement counts changed in place, and rows gone upstream
 * deleted (with their copies); for readers, filtered lists and texts. Inserts go through
 * `TableInserter`.
 */
export class MentionTable {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly merges = new StoryMerges(client),
  ) {}

  /**
   * In one round trip: which (source, id) keys are stored, and which of the given hashed
   * author keys are in `erased_authors`.
   */
  async storedAndErased(keys: readonly Key[], authorKeys: readonly string[]): Promise<{ stored: Set<string>; erasedAuthors: Set<string> }> {
    const rows = await selectRows<{ what: string; source: string; id: string }>(
      this.client,
      `SELECT 'stored' AS what, source, id FROM mentions WHERE (source, id) IN {keys:Array(Tuple(String, String))}
                UNION ALL
                SELECT 'erased' AS what, '' AS source, author_id AS id FROM erased_authors WHERE author_id IN {authors:Array(String)}`,
      { keys: keysParam(keys), authors: [...authorKeys] },
    );
    return {
      stored: new Set(rows.filter((r) => r.what === 'stored').map(mentionKey)),
      erasedAuthors: new Set(rows.filter((r) => r.what === 'erased').map((r) => r.id)),
    };
  }

  /** The stored rows of these keys, as ClickHouse returns them (64-bit integers as numbers). */
  async rows(keys: readonly Key[]): Promise<Record<string, unknown>[]> {
    const result = await this.client.query({
      query: 'SELECT * FROM mentions FINAL WHERE (source, id) IN {keys:Array(Tuple(String, String))}',
      query_params: { keys: keysParam(keys) },
      format: 'JSONEachRow',
      clickhouse_settings: { output_format_json_quote_64bit_integers: 0 },
    });
    return result.json<Record<string, unknown>>();
  }

  /** The conversation each stored key belongs to (its own id when it starts one), by `source:id`. */
  async conversations(keys: readonly Key[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (keys.length === 0) return out;
    const rows = await (
      await this.client.query({
        query:
          "SELECT source, id, if(conversation_id = '', id, conversation_id) AS conversation FROM mentions WHERE (source, id) IN {keys:Array(Tuple(String, String))}",
        query_params: { keys: keysParam(keys) },
        format: 'JSONEachRow',
      })
    ).json<{ source: string; id: string; conversation: string }>();
    for (const r of rows) out.set(mentionKey(r), r.conversation);
    return out;
  }

  /** How many of these keys are stored. */
  async countStored(keys: readonly Key[]): Promise<number> {
    const rows = await selectRows<{ n: string }>(this.client, 'SELECT count() AS n FROM mentions WHERE (source, id) IN {keys:Array(Tuple(String, String))}', {
      keys: keysParam(keys),
    });
    return Number(rows[0]?.n ?? 0);
  }

  /** Deletes these keys' mentions and their copies (a post deleted or removed upstream). */
  async deleteKeys(keys: readonly Key[]): Promise<void> {
    await deleteMentions(this.client, '(source, id) IN {keys:Array(Tuple(String, String))}', { keys: keysParam(keys) }, '1');
  }

  /**
   * Sets counts in place, one mutation for the batch: each column to the value each row
   * reports, through a key→value lookup (a mutation feeds no materialized view, so count
   * rollups are untouched; a key not stored yet changes nothing). Author followers reach
   * the copies too (the care queue weighs reach); engagement is not copied.
   */
  async setCounts(updates: readonly { source: string; id: string; values: Partial<Record<CountColumn, number>> }[]): Promise<void> {
    const params: Record<string, unknown> = { keys: keysParam(updates.map((u) => [u.source, u.id])) };
    const sets: string[] = [];
    for (const column of COUNT_COLUMNS) {
      const has = updates.filter((u) => u.values[column] !== undefined);
      if (has.length === 0) continue;
      params[`k_${column}`] = has.map(mentionKey);
      params[`v_${column}`] = has.map((u) => u.values[column]);
      sets.push(`${column} = transform(concat(source, ':', id), {k_${column}:Array(String)}, {v_${column}:Array(UInt64)}, ${column})`);
    }
    if (sets.length === 0) return;
    const run = (table: string, set: string[]) =>
      this.client.command({
        query: `ALTER TABLE ${table} UPDATE ${set.join(', ')} WHERE (source, id) IN {keys:Array(Tuple(String, String))}`,
        query_params: params,
        clickhouse_settings: { mutations_sync: '1' },
      });
    await run('mentions', sets);
    const followers = sets.filter((x) => x.startsWith('author_followers '));
    if (followers.length) for (const table of MENTION_COPIES) await run(table, followers);
  }

  /** Stored mentions, newest first, filtered (rows as stored, without metadata). */
  async search<T>(f: MentionFilter): Promise<T[]> {
    // Conditions are fixed SQL; only the values travel, as query parameters.
    const where = [
      f.brand && 'has(brands, {brand:String})',
      f.source && 'source = {source:String}',
      f.sentiment && 'sentiment_label = {sentiment:String}',
      f.intent && 'has(intents, {intent:String})',
      f.lang && 'lang = {lang:String}',
      f.q && '(positionCaseInsensitiveUTF8(text, {q:String}) > 0 OR positionCaseInsensitiveUTF8(title, {q:String}) > 0)',
      f.story && 'story_id IN {stories:Array(String)}',
      f.from && 'created_at >= {from:DateTime64(3)}',
      f.to && 'created_at < {to:DateTime64(3)}',
      f.after &&
        '(created_at < {after_at:DateTime64(3)} OR (created_at = {after_at:DateTime64(3)} AND (source, id) > ({after_source:String}, {after_id:String})))',
    ].filter(Boolean);
    const { after, story, ...filter } = f;
    const result = await this.client.query({
      query: `SELECT * EXCEPT (metadata, stored_at, enriched_at) FROM mentions FINAL
              ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
              ORDER BY created_at DESC, source, id
              LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
      query_params: definedOnly({
        ...filter,
        from: f.from && toClickHouseTime(f.from),
        to: f.to && toClickHouseTime(f.to),
        ...(after ? { after_at: after.created_at, after_source: after.source, after_id: after.id } : {}),
        ...(story ? { stories: await this.storyParts(story) } : {}),
      }),
      format: 'JSONEachRow',
    });
    return result.json<T>();
  }

  /** A story and the stories merged into it (just the id when no merge names it). */
  private async storyParts(story: string): Promise<string[]> {
    const brand = await this.merges.brandOf(story);
    return brand === null ? [story] : (await this.merges.of(brand)).parts(story);
  }

  /**
   * Each row's `story_id` as the story it is in now: one that merged into another reads as
   * that one (its brand's merges, chains followed); rows changed in place.
   */
  async withCurrentStories<R extends { brands: string[]; story_id?: string }>(rows: R[]): Promise<R[]> {
    const brands = new Set(rows.filter((r) => r.story_id).map((r) => r.brands[0] ?? ''));
    for (const brand of brands) {
      const merged = await this.merges.of(brand);
      for (const r of rows) if (r.story_id && (r.brands[0] ?? '') === brand) r.story_id = merged.survivor(r.story_id);
    }
    return rows;
  }

  /** The texts of a brand's mentions in [from, to), oldest first, at most `limit`. */
  async texts(brand: string, from: number, to: number, limit: number): Promise<string[]> {
    const rows = await selectRows<{ text: string }>(
      this.client,
      `SELECT text FROM mentions FINAL WHERE has(brands, {brand:String}) AND created_at >= {from:DateTime64(3)} AND created_at < {to:DateTime64(3)} ORDER BY created_at LIMIT {limit:UInt32}`,
      { brand, from: toClickHouseTime(from), to: toClickHouseTime(to), limit },
    );
    return rows.map((r) => r.text);
  }
}
