import type { ClickHouseClient } from '@clickhouse/client';

/**
 * Tables that hold a copy of stored mentions' fields, one row per mention (and brand),
 * filled by materialized views. A mention deleted (erasure, a post gone upstream) or
 * updated (followers) in `mentions` is deleted or updated here too, with the same WHERE
 * on (source, id, author_id) and the same SET; retention ages them with `mentions`.
 */
export const MENTION_COPIES = ['care_messages'] as const;

/**
 * Deletes mentions and their copies matching `where`. The copies go first: whoever sees
 * a mention gone (a reader, or a retry after a crash that checks `mentions`) finds its
 * copies gone too.
 */
export async function deleteMentions(client: ClickHouseClient, where: string, params: Record<string, unknown>, sync: '1' | '2' = '2'): Promise<void> {
  for (const table of [...MENTION_COPIES, 'mentions'])
    await client.command({ query: `ALTER TABLE ${table} DELETE WHERE ${where}`, query_params: params, clickhouse_settings: { mutations_sync: sync } });
}
