import type { ClickHouseClient } from '@clickhouse/client';
import { toClickHouseTime } from './rows.js';

/**
 * Leader election over ClickHouse so that two replicas of a service never both do the
 * work (fire alerts, poll a source): each replica records a heartbeat when it asks; the
 * leader is the smallest replica id with a heartbeat in the last `ttlMs`. Every replica
 * computes the same answer from the same rows.
 */
export class ClickHouseLease {
  constructor(
    private readonly client: ClickHouseClient,
    /** A table `(replica String, heartbeat_at DateTime64(3))`, one per kind of work. */
    private readonly table: 'detector_leases' | 'ingest_leases',
    readonly replica: string,
    /** How long a heartbeat counts: a replica silent this long has lost the lead. */
    readonly ttlMs = 3 * 60_000,
  ) {}

  async isLeader(now: number): Promise<boolean> {
    await this.client.insert({ table: this.table, values: [{ replica: this.replica, heartbeat_at: toClickHouseTime(now) }], format: 'JSONEachRow' });
    const rows = await (
      await this.client.query({
        query: `SELECT min(replica) AS leader FROM (SELECT replica, max(heartbeat_at) AS last FROM ${this.table} GROUP BY replica)
                WHERE last >= {since:DateTime64(3)} AND last <= {until:DateTime64(3)}`,
        query_params: { since: toClickHouseTime(now - this.ttlMs), until: toClickHouseTime(now + this.ttlMs) },
        format: 'JSONEachRow',
      })
    ).json<{ leader: string }>();
    return rows[0]?.leader === this.replica;
  }

  /** Forgets this replica's heartbeats, so another leads at once rather than after `ttlMs` (a one-off process ending). */
  async release(): Promise<void> {
    await this.client.command({
      query: `ALTER TABLE ${this.table} DELETE WHERE replica = {replica:String}`,
      query_params: { replica: this.replica },
      clickhouse_settings: { mutations_sync: '1' },
    });
  }
}
