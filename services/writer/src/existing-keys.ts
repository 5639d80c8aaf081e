import { TupleParam, type ClickHouseClient } from '@clickhouse/client';
import { erasedAuthorKey, mentionKey } from '@earshot/shared';

/**
 * What the writer must know of a batch before inserting it, in one round trip:
 * - the (source, id) keys already stored: Kafka delivers at least once, and skipping
 *   what is there makes a redelivery or a replay count once, in `mentions` and in every
 *   rollup fed from it;
 * - the mentions whose authors asked to be erased, which are never stored again.
 */
export async function storedAndErased(
  client: ClickHouseClient,
  mentions: { source: string; id: string; author: { id: string } }[],
): Promise<{ stored: Set<string>; erased: Set<string> }> {
  if (mentions.length === 0) return { stored: new Set(), erased: new Set() };
  const authorKey = (m: { source: string; author: { id: string } }) => erasedAuthorKey(m.source, m.author.id);
  const result = await client.query({
    query: `SELECT 'stored' AS what, source, id FROM mentions WHERE (source, id) IN {keys:Array(Tuple(String, String))}
            UNION ALL
            SELECT 'erased' AS what, '' AS source, author_id AS id FROM erased_authors WHERE author_id IN {authors:Array(String)}`,
    query_params: { keys: mentions.map((m) => new TupleParam([m.source, m.id])), authors: [...new Set(mentions.map(authorKey))] },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ what: string; source: string; id: string }>();
  const stored = new Set(rows.filter((r) => r.what === 'stored').map((r) => `${r.source}:${r.id}`));
  const erasedAuthors = new Set(rows.filter((r) => r.what === 'erased').map((r) => r.id));
  return { stored, erased: new Set(mentions.filter((m) => erasedAuthors.has(authorKey(m))).map(mentionKey)) };
}
