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

  /** Noted with its keys: the table keeps one row per token, the latest, and the keys of a finished block are what tells whether it replaced an unfinished one. */
  done(block: JournalBlock): Promise<void> {
    return this.note(block, 1);
  }

  /**
   * Blocks holding any of these rows that were begun and never marked done, and that no
   * finished block has since replaced. A block is replaced when a finished block of other
   * rows holds some of its rows: it never reached the table (the writer skips rows already
   * stored, and the table is written before its views), so those rows went in with the
   * other block, and inserting them again under this block's token would count them twice
   * in the rollups. Replaced blocks are marked done here.
   */
  async unfinished(keys: [string, string][]): Promise<JournalBlock[]> {
    if (keys.length === 0) return [];
    const pending = await this.rowsOf(
      `SELECT token, argMax(keys, length(keys)) AS keys FROM write_journal
       WHERE token IN (SELECT token FROM write_journal WHERE done = 0 AND hasAny(keys, {keys:Array(Tuple(String, String))}))
       GROUP BY token HAVING max(done) = 0`,
      keys,
    );
    if (pending.length === 0) return [];
    // Any row of a token, done or not: once the table has merged them, only a finished block's done row (with its keys) is left.
    const finished = await this.rowsOf(
      `SELECT token, argMax(keys, length(keys)) AS keys FROM write_journal
       WHERE token IN (SELECT token FROM write_journal WHERE hasAny(keys, {keys:Array(Tuple(String, String))}))
       GROUP BY token HAVING max(done) = 1`,
      pending.flatMap((b) => b.keys),
    );
    // A part of a split block (token `<block>/1`...) is not replaced by its own block: that
    // one was refused whole and settled before its parts went in.
    const replaced = pending.filter((b) => {
      const others = finished.filter((f) => !b.token.startsWith(`${f.token}/`));
      const storedByAnother = new Set(others.flatMap((f) => f.keys.map(([source, id]) => `${source}\u0000${id}`)));
      return b.keys.some(([source, id]) => storedByAnother.has(`${source}\u0000${id}`));
    });
    for (const b of replaced) await this.done(b);
    return pending.filter((b) => !replaced.includes(b));
  }

  private async rowsOf(query: string, keys: [string, string][]): Promise<JournalBlock[]> {
    const result = await this.client.query({ query, query_params: { keys: keys.map((k) => new TupleParam(k)) }, format: 'JSONEachRow' });
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
