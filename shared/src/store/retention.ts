import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../logger.js';
import { MENTION_COPIES } from './mention-copies.js';

/** Tables and the event-time column their retention is counted from. */
const RAW = [
  ['mentions', 'created_at'],
  ...MENTION_COPIES.map((t) => [t, 'created_at'] as const),
  ['mention_stats_1m', 'minute'],
  ['mention_intents_1m', 'minute'],
  ['dead_letters', 'at'],
] as const;
const HOURLY = [
  ['mention_stats_1h', 'hour'],
  ['mention_intents_1h', 'hour'],
  ['complaint_terms_1h', 'hour'],
  // Per minute, but it holds the stories' hourly history (migration 021).
  ['story_stats', 'minute'],
] as const;

/**
 * Applies retention as ClickHouse TTLs: raw mentions and per-minute rollups for
 * `rawDays`, hourly rollups for `hourlyDays` (0 = keep forever, and removes a TTL set
 * before). Counted in event time, so a backfill older than the retention is dropped.
 */
export async function applyRetention(client: ClickHouseClient, logger: Logger, opts: { rawDays: number; hourlyDays: number }): Promise<void> {
  const apply = async (tables: readonly (readonly [string, string])[], days: number) => {
    for (const [table, column] of tables) {
      const query = days > 0 ? `ALTER TABLE ${table} MODIFY TTL toDateTime(${column}) + INTERVAL ${Math.floor(days)} DAY` : `ALTER TABLE ${table} REMOVE TTL`;
      try {
        await client.command({ query });
      } catch (err) {
        // REMOVE TTL on a table that has none is refused; that is the state wanted.
        if (days > 0) throw err;
      }
    }
  };
  await apply(RAW, opts.rawDays);
  await apply(HOURLY, opts.hourlyDays);
  if (opts.rawDays > 0 || opts.hourlyDays > 0) logger.info({ rawDays: opts.rawDays, hourlyDays: opts.hourlyDays }, 'retention applied');
}
