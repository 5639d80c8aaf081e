import type { ClickHouseClient } from '@clickhouse/client';
import type { Clock } from '../clock.js';
import { toClickHouseTime, selectRows } from './rows.js';

/**
 * Connector checkpoints in ClickHouse (`connector_checkpoints`), newest version per
 * connector, so any ingest replica can resume any connector. The state is the
 * connector's own (JSON); ingest defines its shape.
 */
export class ConnectorCheckpointTable<State> {
  private last = 0;

  constructor(
    private readonly client: ClickHouseClient,
    private readonly clock: Clock,
  ) {}

  async load(connector: string): Promise<State | null> {
    const rows = await selectRows<{ state: string; n: string | number }>(
      this.client,
      'SELECT argMax(state, updated_at) AS state, count() AS n FROM connector_checkpoints WHERE connector = {connector:String}',
      { connector },
    );
    const row = rows[0];
    if (!row || Number(row.n) === 0) return null;
    return JSON.parse(row.state) as State;
  }

  async save(connector: string, state: State): Promise<void> {
    // Strictly increasing versions, so two saves in one millisecond still order.
    this.last = Math.max(this.clock.now(), this.last + 1);
    await this.client.insert({
      table: 'connector_checkpoints',
      values: [{ connector, state: JSON.stringify(state), updated_at: toClickHouseTime(this.last) }],
      format: 'JSONEachRow',
    });
  }
}
