import { TupleParam, type ClickHouseClient } from '@clickhouse/client';
import { toClickHouseTime } from './rows.js';

export interface JournalBlock {
  token: string;
  /** (source, id) of its rows, in the order they were inserted. */
  keys: [string, string][];
}

/**
 * The writer's journal of mention blocks (table `write_journal`): each block is noted
 * before its insert and marked done after it, so a block cut short by a crash can be
 * found again from any of its rows and inserted again under the same token.
 */
export class WriteJournal {
  constructor(
    private readonly client: ClickHouseClient,
    private readonly now: () => number,
  ) {}

  begin(block: JournalBlock): Promise<void> {
    return this.note(block, 0);
  }

  done(block: JournalBlock): Promise<void> {
    return this.note({ token: block.token, keys: [] }, 1);
  }

  /** Blocks holding any of these rows that were begun and never marked done. */
  async unfinished(keys: [string, string][]): Promise<JournalBlock[]> {
    if (keys.length === 0) return [];
    const result = await this.client.query({
      query: `SELECT token, argMax(keys, length(keys)) AS keys FROM write_journal
              WHERE token IN (SELECT token FROM write_journal WHERE done = 0 AND hasAny(keys, {keys:Array(Tuple(String, String))}))
              GROUP BY token HAVING max(done) = 0`,
      query_params: { keys: keys.map((k) => new TupleParam(k)) },
      format: 'JSONEachRow',
    });
    return result.json<JournalBlock>();
  }

  private async note(block: JournalBlock, done: 0 | 1): Promise<void> {
    await this.client.insert({
      table: 'write_journal',
      values: [{ token: block.token, keys: block.keys, done, at: toClickHouseTime(this.now()) }],
      format: 'JSONEachRow',
    });
  }
}
