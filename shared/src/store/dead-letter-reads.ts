import type { ClickHouseClient } from '@clickhouse/client';

export interface DeadLetterQuery {
  origin?: string;
  /** ISO 8601; the newest first from then on. */
  since: string;
  limit: number;
}

export interface StoredDeadLetter {
  at: string;
  origin: string;
  stage: string;
  reason: string;
  key: string;
  payload_bytes: number;
  /** The start of what was refused (at most 2,000 characters). */
  payload: string;
}

export interface DeadLetterReason {
  origin: string;
  stage: string;
  reason: string;
  count: number;
  first_at: string;
  last_at: string;
}

const PAYLOAD_CHARS = 2000;

/** Reads of `dead_letters` (written by the writer's dead-letter consumer): what was refused, and why. */
export class DeadLetterReads {
  constructor(private readonly client: ClickHouseClient) {}

  async list(q: DeadLetterQuery): Promise<{ items: StoredDeadLetter[]; reasons: DeadLetterReason[]; total: number }> {
    const where = "at >= parseDateTime64BestEffort({since:String}, 3) AND ({origin:String} = '' OR origin = {origin:String})";
    const params = { since: q.since, origin: q.origin ?? '', limit: q.limit, chars: PAYLOAD_CHARS };
    const read = async <T>(query: string) => (await this.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
    const [items, reasons] = await Promise.all([
      read<StoredDeadLetter>(
        `SELECT at, origin, stage, reason, key, payload_bytes, substring(payload, 1, {chars:UInt32}) AS payload
         FROM dead_letters WHERE ${where} ORDER BY at DESC LIMIT {limit:UInt32}`,
      ),
      read<DeadLetterReason>(
        `SELECT origin, stage, reason, count() AS count, toString(min(at)) AS first_at, toString(max(at)) AS last_at
         FROM dead_letters WHERE ${where} GROUP BY origin, stage, reason ORDER BY count DESC, last_at DESC LIMIT 100`,
      ),
    ]);
    const total = reasons.reduce((n, r) => n + Number(r.count), 0);
    return {
      items: items.map((i) => ({ ...i, payload_bytes: Number(i.payload_bytes) })),
      reasons: reasons.map((r) => ({ ...r, count: Number(r.count) })),
      total,
    };
  }
}
