import { TupleParam, type ClickHouseClient } from '@clickhouse/client';
import { toClickHouseTime, selectRows } from './rows.js';

export interface Identity {
  source: string;
  id: string;
}

const keysOf = (ids: readonly Identity[]) => ({ keys: ids.map((i) => new TupleParam([i.source, i.id])) });

/** One customer across sources: the identities the care team linked (`author_links`), and what they said. */
export class AuthorStore {
  constructor(private readonly client: ClickHouseClient) {}

  /** The identity asked for, plus the ones linked to it (both ways). */
  async identities(who: Identity): Promise<Identity[]> {
    // Output names differ from the columns: ClickHouse would read an alias named like a column in WHERE.
    const rows = await selectRows<{ other_source: string; other_id: string }>(
      this.client,
      `SELECT linked_source AS other_source, linked_author_id AS other_id FROM author_links FINAL WHERE source = {source:String} AND author_id = {id:String}
                UNION ALL
                SELECT source AS other_source, author_id AS other_id FROM author_links FINAL WHERE linked_source = {source:String} AND linked_author_id = {id:String}`,
      { source: who.source, id: who.id },
    );
    const seen = new Map([[`${who.source}:${who.id}`, { source: who.source, id: who.id }]]);
    for (const r of rows) seen.set(`${r.other_source}:${r.other_id}`, { source: r.other_source, id: r.other_id });
    return [...seen.values()];
  }

  async link(who: Identity, others: readonly Identity[], at: number): Promise<void> {
    await this.client.insert({
      table: 'author_links',
      values: others.map((l) => ({ source: who.source, author_id: who.id, linked_source: l.source, linked_author_id: l.id, created_at: toClickHouseTime(at) })),
      format: 'JSONEachRow',
    });
  }

  /** Their stored mentions, newest first (rows as stored, without metadata). */
  async mentions<T>(ids: readonly Identity[], limit: number): Promise<T[]> {
    return selectRows<T>(
      this.client,
      `SELECT * EXCEPT (metadata, stored_at, enriched_at) FROM mentions FINAL WHERE (source, author_id) IN {keys:Array(Tuple(String, String))}
                ORDER BY created_at DESC LIMIT {limit:UInt32}`,
      { ...keysOf(ids), limit },
    );
  }

  /** Per day: how many mentions, their mean sentiment score, how many negative, on which sources. */
  async trajectory(ids: readonly Identity[]): Promise<{ day: string; mentions: number; mean_score: number; negative: number; sources: string[] }[]> {
    const rows = await selectRows<{ day: string; mentions: string; mean_score: number; negative: string; sources: string[] }>(
      this.client,
      `SELECT toString(toStartOfDay(created_at)) AS day, count() AS mentions, avg(sentiment_score) AS mean_score,
                       countIf(sentiment_label = 'negative') AS negative, groupUniqArray(source) AS sources
                FROM mentions FINAL WHERE (source, author_id) IN {keys:Array(Tuple(String, String))} GROUP BY day ORDER BY day`,
      keysOf(ids),
    );
    return rows.map((t) => ({ day: t.day, mentions: Number(t.mentions), mean_score: t.mean_score, negative: Number(t.negative), sources: t.sources }));
  }
}
