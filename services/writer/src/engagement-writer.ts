import { STREAM_CONSUMERS, defineConsumer, forAll, mentionKey, type EngagementUpdate, type MentionTable, type Metrics } from '@earshot/shared';

/** The newest reading per mention in a batch. */
function latest(updates: EngagementUpdate[]): EngagementUpdate[] {
  const byKey = new Map<string, EngagementUpdate>();
  for (const u of updates) {
    const key = mentionKey(u);
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
async function eraseGone(deps: { table: MentionTable; metrics: Metrics }, gone: EngagementUpdate[]): Promise<void> {
  if (gone.length === 0) return;
  const keys = gone.map((u) => [u.source, u.id] as const);
  const n = await deps.table.countStored(keys);
  if (n === 0) return;
  await deps.table.deleteKeys(keys);
  deps.metrics.rowsWritten.inc({ table: 'mentions.erased_upstream' }, n);
}

/**
 * Applies engagement refreshes to the stored mention rows in place, one mutation per
 * batch; a refresh for a mention not stored yet changes nothing (the next refresh will
 * find it).
 */
export function engagementWriteConsumer(deps: { table: MentionTable; metrics: Metrics }) {
  return defineConsumer(STREAM_CONSUMERS.writerEngagement, [forAll((updates) => applyEngagement(deps, updates))]);
}

async function applyEngagement(deps: { table: MentionTable; metrics: Metrics }, readings: EngagementUpdate[]): Promise<void> {
  const newest = latest(readings);
  await eraseGone(
    deps,
    newest.filter((u) => u.deleted),
  );
  const updates = newest.filter((u) => !u.deleted);
  if (updates.length === 0) return;
  await deps.table.setCounts(
    updates.map((u) => ({
      source: u.source,
      id: u.id,
      values: {
        likes: u.engagement.likes,
        shares: u.engagement.shares,
        replies: u.engagement.replies,
        views: u.engagement.views,
        author_followers: u.followers,
      },
    })),
  );
  deps.metrics.rowsWritten.inc({ table: 'mentions.engagement' }, updates.length);
}
