import { TupleParam, type ClickHouseClient } from '@clickhouse/client';
import { EngagementUpdateSchema, MENTION_COPIES, decodeBatch, deleteMentions, type BusMessage, type DeadLetters, type EngagementUpdate, type Metrics } from '@earshot/shared';

const COLUMNS = { likes: 'likes', shares: 'shares', replies: 'replies', views: 'views', followers: 'author_followers' } as const;

/** The newest reading per mention in a batch. */
function latest(updates: EngagementUpdate[]): EngagementUpdate[] {
  const byKey = new Map<string, EngagementUpdate>();
  for (const u of updates) {
    const key = `${u.source}|${u.id}`;
    const seen = byKey.get(key);
    if (!seen || Date.parse(u.observed_at) >= Date.parse(seen.observed_at)) byKey.set(key, u);
  }
  return [...byKey.values()];
}

/**
 * Erases mentions their source reports gone (deleted by the author or removed). Only rows
 * still stored are touched, so a repeated report costs a lookup, not a mutation. Count
 * rollups keep their numbers, which name nobody (as for an author's erasure).
 */
async function eraseGone(deps: { client: ClickHouseClient; metrics: Metrics }, gone: EngagementUpdate[]): Promise<void> {
  if (gone.length === 0) return;
  const keys = { keys: gone.map((u) => new TupleParam([u.source, u.id])) };
  const stored = await (await deps.client.query({ query: 'SELECT count() AS n FROM mentions WHERE (source, id) IN {keys:Array(Tuple(String, String))}', query_params: keys, format: 'JSONEachRow' })).json<{ n: string }>();
  const n = Number(stored[0]?.n ?? 0);
  if (n === 0) return;
  await deleteMentions(deps.client, '(source, id) IN {keys:Array(Tuple(String, String))}', keys, '1');
  deps.metrics.rowsWritten.inc({ table: 'mentions.erased_upstream' }, n);
}

/**
 * Applies engagement refreshes to the stored mention rows in place: one mutation per
 * batch, setting each reported count through a key→value lookup. A mutation feeds no
 * materialized view, so rollups that count mentions are untouched; a refresh for a
 * mention not stored yet changes nothing (the next refresh will find it).
 */
export function createEngagementWriteHandler(deps: { client: ClickHouseClient; deadLetters: DeadLetters; metrics: Metrics }) {
  return async (messages: BusMessage[]): Promise<void> => {
    const decoded = await decodeBatch(messages, EngagementUpdateSchema, deps.deadLetters, 'writer.engagement.decode');
    const readings = latest(decoded.map((d) => d.value));
    await eraseGone(deps, readings.filter((u) => u.deleted));
    const updates = readings.filter((u) => !u.deleted);
    if (updates.length === 0) return;
    const params: Record<string, unknown> = { keys: updates.map((u) => new TupleParam([u.source, u.id])) };
    const sets: string[] = [];
    for (const [field, column] of Object.entries(COLUMNS)) {
      const has = updates.filter((u) => (field === 'followers' ? u.followers : u.engagement[field as keyof EngagementUpdate['engagement']]) !== undefined);
      if (has.length === 0) continue;
      params[`k_${field}`] = has.map((u) => `${u.source}|${u.id}`);
      params[`v_${field}`] = has.map((u) => (field === 'followers' ? u.followers : u.engagement[field as keyof EngagementUpdate['engagement']]));
      sets.push(`${column} = transform(concat(source, '|', id), {k_${field}:Array(String)}, {v_${field}:Array(UInt64)}, ${column})`);
    }
    if (sets.length === 0) return;
    await deps.client.command({
      query: `ALTER TABLE mentions UPDATE ${sets.join(', ')} WHERE (source, id) IN {keys:Array(Tuple(String, String))}`,
      query_params: params,
      clickhouse_settings: { mutations_sync: '1' },
    });
    // The copies hold followers only (the care queue's priority weighs reach), not engagement.
    const followers = sets.filter((x) => x.startsWith('author_followers '));
    if (followers.length)
      for (const table of MENTION_COPIES)
        await deps.client.command({
          query: `ALTER TABLE ${table} UPDATE ${followers.join(', ')} WHERE (source, id) IN {keys:Array(Tuple(String, String))}`,
          query_params: params,
          clickhouse_settings: { mutations_sync: '1' },
        });
    deps.metrics.rowsWritten.inc({ table: 'mentions.engagement' }, updates.length);
  };
}
