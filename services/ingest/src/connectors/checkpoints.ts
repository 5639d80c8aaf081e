import { toClickHouseTime, type ClickHouseClient, type Clock } from '@earshot/shared';
import type { Cursor, RecentMention } from './types.js';

/** What a connector resumes from: its own cursor, and the mentions it published lately. */
export interface Checkpoint {
  cursor: Cursor;
  /** Newest last; used to drop repeats at page boundaries and to refresh engagement. */
  recent: RecentMention[];
  /** Items read from the source this month (UTC), against `monthly_read_budget`. */
  usage?: { month: string; reads: number };
}

export interface CheckpointStore {
  load(connector: string): Promise<Checkpoint | null>;
  save(connector: string, checkpoint: Checkpoint): Promise<void>;
}

/** Checkpoints in ClickHouse (`connector_checkpoints`), so any ingest replica can resume any connector. */
export class ClickHouseCheckpoints implements CheckpointStore {
  private last = 0;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly clock: Clock,
  ) {}

  async load(connector: string): Promise<Checkpoint | null> {
    const rows = await (
      await this.client.query({
        query: 'SELECT argMax(state, updated_at) AS state, count() AS n FROM connector_checkpoints WHERE connector = {connector:String}',
        query_params: { connector },
        format: 'JSONEachRow',
      })
    ).json<{ state: string; n: string | number }>();
    const row = rows[0];
    if (!row || Number(row.n) === 0) return null;
    return JSON.parse(row.state) as Checkpoint;
  }

  async save(connector: string, checkpoint: Checkpoint): Promise<void> {
    // Strictly increasing versions, so two saves in one millisecond still order.
    this.last = Math.max(this.clock.now(), this.last + 1);
    await this.client.insert({
      table: 'connector_checkpoints',
      values: [{ connector, state: JSON.stringify(checkpoint), updated_at: toClickHouseTime(this.last) }],
      format: 'JSONEachRow',
    });
  }
}
