import type { ClickHouseClient } from '@clickhouse/client';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import { sleep } from '../clock.js';
import { backoffMs, errorMessage } from '../bus/types.js';

/** ClickHouse error codes worth another try: load, limits, timeouts, replicas catching up. */
const RETRYABLE_CODES = new Set(['159', '202', '209', '210', '241', '242', '252', '319', '425', '999', '1002']);
const RETRYABLE_NETWORK = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EAI_AGAIN|socket hang up|Timeout error|timed out/i;
/** The request itself was too big: split the batch rather than retry it whole. */
const TOO_LARGE = /413|too large|TOO_LARGE|exceeds the maximum/i;

export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && RETRYABLE_CODES.has(code)) return true;
  return RETRYABLE_NETWORK.test(errorMessage(err));
}

export interface InserterOptions {
  /** Tries per batch for a retryable error before giving up to the caller (whose consumer then redelivers). */
  attempts?: number;
  /** Told about a single row ClickHouse refuses for good (it goes to the dead-letter topic). */
  onRejectedRow?: (row: unknown, reason: string) => Promise<void>;
}

/**
 * A typed inserter for one table: rows are checked against the same zod schema the
 * columns are tested against; retryable errors back off and retry; a batch refused
 * for its size or content is split in halves until the bad row is alone, so good rows
 * are never dropped with it.
 */
export class TableInserter<S extends z.ZodObject> {
  constructor(
    private readonly client: ClickHouseClient,
    readonly table: string,
    private readonly schema: S,
    private readonly deps: { logger: Logger; metrics: Metrics },
    private readonly options: InserterOptions = {},
  ) {}

  async insert(rows: z.infer<S>[]): Promise<void> {
    if (rows.length === 0) return;
    const { metrics, logger } = this.deps;
    const attempts = this.options.attempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const end = metrics.writeLatency.startTimer({ table: this.table });
      try {
        await this.client.insert({ table: this.table, values: rows, format: 'JSONEachRow' });
        end();
        metrics.rowsWritten.inc({ table: this.table }, rows.length);
        return;
      } catch (err) {
        const retryable = isRetryable(err);
        metrics.writeErrors.inc({ table: this.table, retryable: String(retryable) });
        if (retryable && attempt < attempts) {
          const wait = backoffMs(attempt, 200, 5_000);
          logger.warn({ table: this.table, rows: rows.length, attempt, retryInMs: wait, err: errorMessage(err) }, 'insert failed; retrying');
          await sleep(wait);
          continue;
        }
        if (retryable) throw err;
        if (rows.length > 1) {
          const half = Math.ceil(rows.length / 2);
          logger.warn({ table: this.table, rows: rows.length, err: errorMessage(err), tooLarge: TOO_LARGE.test(errorMessage(err)) }, 'insert refused; splitting the batch');
          await this.insert(rows.slice(0, half));
          await this.insert(rows.slice(half));
          return;
        }
        if (!this.options.onRejectedRow) throw err;
        await this.options.onRejectedRow(rows[0], `ClickHouse refused the row for ${this.table}: ${errorMessage(err)}`);
        return;
      }
    }
  }

  /** Validates rows built inside the process; a failure here is a bug, not bad input. */
  parse(row: unknown): z.infer<S> {
    return this.schema.parse(row);
  }
}
