import { toClickHouseTime, type ClickHouseClient } from '@earshot/shared';

/**
 * Leader election over ClickHouse so that two detector replicas never both fire: each
 * replica records a heartbeat every run; the leader is the smallest replica id with a
 * heartbeat in the last `ttlMs`. Every replica computes the same answer from the same
 * rows; only the leader runs the detectors.
 */
export class DetectorLease {
  constructor(
    private readonly client: ClickHouseClient,
    readonly replica: string,
    private readonly ttlMs = 3 * 60_000,
  ) {}

  async isLeader(now: number): Promise<boolean> {
    await this.client.insert({ table: 'detector_leases', values: [{ replica: this.replica, heartbeat_at: toClickHouseTime(now) }], format: 'JSONEachRow' });
    const rows = await (
      await this.client.query({
        query: `SELECT min(replica) AS leader FROM (SELECT replica, max(heartbeat_at) AS last FROM detector_leases GROUP BY replica)
                WHERE last >= {since:DateTime64(3)} AND last <= {until:DateTime64(3)}`,
        query_params: { since: toClickHouseTime(now - this.ttlMs), until: toClickHouseTime(now + this.ttlMs) },
        format: 'JSONEachRow',
      })
    ).json<{ leader: string }>();
    return rows[0]?.leader === this.replica;
  }
}
