import { TupleParam, type ClickHouseClient } from '@clickhouse/client';

/**
 * The (source, id) keys of these mentions that are already stored. Kafka delivers at
 * least once; skipping what is there makes a redelivery or a replay count once, in the
 * mentions table and in every rollup fed from it.
 */
export async function existingMentionKeys(client: ClickHouseClient, mentions: { source: string; id: string }[]): Promise<Set<string>> {
  if (mentions.length === 0) return new Set();
  const result = await client.query({
    query: 'SELECT source, id FROM mentions WHERE (source, id) IN {keys:Array(Tuple(String, String))}',
    query_params: { keys: mentions.map((m) => new TupleParam([m.source, m.id])) },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ source: string; id: string }>();
  return new Set(rows.map((r) => `${r.source}:${r.id}`));
}
