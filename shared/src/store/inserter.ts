import { createHash } from 'node:crypto';
import type { ClickHouseClient } from '@clickhouse/client';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { errorMessage } from '../bus/types.js';
import { withRetries } from '../retry.js';
import type { StoreDiskHealth } from './disk-health.js';
import { fromClickHouse, isOutOfSpace } from './store-errors.js';

export { isOutOfSpace } from './store-errors.js';

/** ClickHouse error codes worth another try: load, limits, timeouts, replicas catching up. */
const RETRYABLE_CODES = new Set(['159', '202', '209', '210', '241', '242', '252', '319', '425', '999', '1002']);
/** The request itself was too big: split the batch rather than retry it whole. */
const TOO_LARGE = /413|too large|TOO_LARGE|exceeds the maximum/i;
/**
 * TOO_MANY_PARTS (252) is also how ClickHouse refuses one INSERT block that spans more
 * partitions (months) than `max_partitions_per_insert_block`: a property of the batch
 * (an out-of-order backfill), which splitting cures and retrying never does.
 */
const PARTITION_SPREAD = /too many partitions for single insert block/i;

/**
 * Whether the same insert may succeed later. ClickHouse's own errors are judged by their
 * code. Anything else failed on the way (a refused or dropped connection, a timeout, a
 * proxy's 502/503 page, whatever its body says) and is retried, unless it says the
 * request was too large: refusing those for good would dead-letter good rows.
 */
export function isRetryable(err: unknown): boolean {
  if (isOutOfSpace(err)) return true;
  const message = errorMessage(err);
  if (fromClickHouse(err)) return RETRYABLE_CODES.has(err.code) && !PARTITION_SPREAD.test(message);
  return !TOO_LARGE.test(message);
}

export interface InserterOptions {
  /** Tries per batch for a retryable error before giving up to the caller (whose consumer then redelivers). */
  attempts?: number;
  /** Told about a single row ClickHouse refuses for good (it goes to the dead-letter topic). */
  onRejectedRow?: (row: unknown, reason: string) => Promise<void>;
  /** Told of every failed and every successful insert: red while the store's disk refuses writes. */
  diskHealth?: StoreDiskHealth;
}

/**
 * The caller's journal of the blocks it inserts (the writer's write journal, which repairs
 * the rollups of a block cut short). A block refused whole and split in parts is settled
 * (`done`) before its parts are inserted, and each part is noted (`begin`) before its
 * insert and `done` after it, under the part's own token: a crash between the parts
 * leaves the part that was cut short to be finished under the token it went in with,
 * never the whole block again under its token over parts already counted.
 */
export interface BlockJournal<R> {
  begin(rows: R[], token: string): Promise<void>;
  done(rows: R[], token: string): Promise<void>;
}

/**
 * A typed inserter for one table: rows are typed by the zod schema the table's columns
 * are tested against (rows built in the process are trusted; `parse` checks rows read
 * back); retryable errors back off and retry; a batch refused
 * for its size, its spread over partitions or its content is split in halves until it
 * goes in or the bad row is alone, so good rows are never dropped with it.
 */
export class TableInserter<S extends z.ZodObject> {
  constructor(
    private readonly client: ClickHouseClient,
    readonly table: string,
    private readonly schema: S,
    private readonly deps: { logger: Logger; metrics: Metrics },
    private readonly options: InserterOptions = {},
  ) {
    this.columns = Object.keys(schema.shape) as [string, ...string[]];
  }

  /**
   * The deduplication token of a block: the same rows make the same token, so when an
   * attempt that failed on the way back had in fact gone in, ClickHouse drops the retry,
   * in the table and in the rollups its views feed (migration 011 keeps the log).
   */
  tokenFor(rows: z.infer<S>[]): string {
    return createHash('sha256').update(this.table).update(JSON.stringify(rows)).digest('hex');
  }

  /**
   * Inserts under `token` when given (a block inserted again after a crash keeps its first
   * token). The caller notes the block in `journal` around this call; the inserter notes the
   * parts of a block it splits.
   */
  async insert(rows: z.infer<S>[], token = this.tokenFor(rows), journal?: BlockJournal<z.infer<S>>): Promise<void> {
    if (rows.length === 0) return;
    const { metrics, logger } = this.deps;
    const attempts = this.options.attempts ?? 5;
    const settings = { insert_deduplication_token: token, deduplicate_blocks_in_dependent_materialized_views: 1 } as const;
    try {
      await withRetries(
        async () => {
          const end = metrics.writeLatency.startTimer({ table: this.table });
          await this.client.insert({
            table: this.table,
            values: this.asArrays(rows),
            columns: this.columns,
            format: 'JSONCompactEachRow',
            clickhouse_settings: settings,
          });
          end();
        },
        {
          attempts,
          baseMs: 400,
          capMs: 5_000,
          retryable: isRetryable,
          onError: (err, { attempt, retrying, waitMs }) => {
            this.options.diskHealth?.failed(this.table, err);
            metrics.writeErrors.inc({ table: this.table, retryable: String(isRetryable(err)) });
            if (retrying) logger.warn({ table: this.table, rows: rows.length, attempt, retryInMs: waitMs, err: errorMessage(err) }, 'insert failed; retrying');
          },
        },
      );
      this.options.diskHealth?.succeeded(this.table);
      metrics.rowsWritten.inc({ table: this.table }, rows.length);
    } catch (err) {
      if (isRetryable(err)) throw err;
      if (rows.length > 1) {
        const half = Math.ceil(rows.length / 2);
        logger.warn(
          { table: this.table, rows: rows.length, err: errorMessage(err), tooLarge: TOO_LARGE.test(errorMessage(err)) },
          'insert refused; splitting the batch',
        );
        // Halves get tokens derived from the block's, so a block inserted again splits the same way and is dropped the same way.
        await journal?.done(rows, token);
        await this.insertPart(rows.slice(0, half), `${token}/1`, journal);
        await this.insertPart(rows.slice(half), `${token}/2`, journal);
        return;
      }
      if (!this.options.onRejectedRow) throw err;
      await this.options.onRejectedRow(rows[0], `ClickHouse refused the row for ${this.table}: ${errorMessage(err)}`);
    }
  }

  /** One part of a split block, noted in the journal around its insert like any block. */
  private async insertPart(rows: z.infer<S>[], token: string, journal?: BlockJournal<z.infer<S>>): Promise<void> {
    await journal?.begin(rows, token);
    await this.insert(rows, token, journal);
    await journal?.done(rows, token);
  }

  /** The table's columns, in the schema's order: rows go as arrays of values (JSONCompactEachRow), which ClickHouse parses faster than objects and which are shorter to encode. */
  private readonly columns: [string, ...string[]];

  /** A missing value is sent as null, which ClickHouse stores as the column's default, as it does for a key left out of an object. */
  private asArrays(rows: z.infer<S>[]): unknown[][] {
    const columns = this.columns;
    return rows.map((row) => {
      const r = row as Record<string, unknown>;
      return columns.map((c) => r[c] ?? null);
    });
  }

  /** Validates rows built inside the process; a failure here is a bug, not bad input. */
  parse(row: unknown): z.infer<S> {
    return this.schema.parse(row);
  }
}
