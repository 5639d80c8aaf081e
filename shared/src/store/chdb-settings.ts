import { parseError } from '@clickhouse/client';
import type { ChdbConnection, ConnBaseQueryParams, ConnInsertParams, ConnInsertResult } from 'chdb/connection';
import type { Readable } from 'node:stream';

type Settings = Record<string, unknown> | undefined;
/** What @clickhouse/client sends to a connection's insert (its getInsertQuery): `INSERT INTO t[ (a, b)] FORMAT F`. */
const INSERT_QUERY = /^INSERT INTO ([\w.`"]+)(?: \(([^)]*)\))? FORMAT (\w+)$/;

/** Settings the HTTP layer understands and the engine refuses (chDB's own list drops them the same way). */
const HTTP_ONLY = /^(wait_end_of_query|send_progress_in_http_headers|http_\w+|enable_http_compression)$/;

async function bodyOf(values: unknown): Promise<Buffer | string> {
  if (typeof values === 'string' || Buffer.isBuffer(values)) return values;
  const chunks: Buffer[] = [];
  for await (const chunk of values as AsyncIterable<Buffer | string | Uint8Array>) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/**
 * chDB's connection for @clickhouse/client applies a call's `clickhouse_settings` as
 * `SET` statements on its one session, where they stay for every later statement. After
 * an insert under an `insert_deduplication_token`, every later insert into that table
 * without a token of its own (a rebuild after an erasure, say) carried the old token and
 * was silently dropped as a repeat. This wrapper keeps each call's settings to that call:
 * - inserts go through chDB's raw insert, with the settings in the statement's own
 *   SETTINGS clause; the body is handed over as it is, not pasted into the SQL text,
 *   which is also cheaper (a writer block is megabytes);
 * - a query, command or exec with settings of its own sets them back to their
 *   defaults afterwards. The client's own settings (sent with every call) stay.
 */
export function callScopedSettings(inner: ChdbConnection, clientSettings: Record<string, unknown>): ChdbConnection {
  const own = (settings: Settings) => Object.keys(settings ?? {}).filter((k) => settings![k] !== undefined && !(k in clientSettings) && !HTTP_ONLY.test(k));

  const scoped = (method: 'query' | 'exec' | 'command') => async (params: ConnBaseQueryParams) => {
    const keys = own(params.clickhouse_settings);
    try {
      return await (inner[method] as (p: ConnBaseQueryParams) => Promise<unknown>).call(inner, params);
    } finally {
      if (keys.length) await inner.command({ query: keys.map((k) => `SET ${k} = DEFAULT`).join('; ') });
    }
  };

  const insert = async (params: ConnInsertParams<Readable>): Promise<ConnInsertResult> => {
    const match = INSERT_QUERY.exec(params.query);
    if (!match) throw new Error(`unexpected insert statement from the ClickHouse client: ${params.query.slice(0, 200)}`);
    const [, table, columns, format] = match;
    const settings = Object.fromEntries(
      Object.entries((params.clickhouse_settings ?? {}) as Record<string, unknown>).filter(
        (e): e is [string, string | number | boolean] => e[1] !== undefined && !HTTP_ONLY.test(e[0]) && ['string', 'number', 'boolean'].includes(typeof e[1]),
      ),
    );
    const values = await bodyOf(params.values);
    const base = { query_id: params.query_id ?? crypto.randomUUID(), response_headers: {}, http_status_code: 200 };
    if (values.length === 0 || (typeof values === 'string' && values.trim() === '')) return { ...base, summary: summary(0, 0, 0) };
    try {
      const raw = await inner.chdb.rawInsert({
        table: table!,
        ...(columns ? { columns: columns.split(',').map((c) => c.trim()) } : {}),
        format: format as Parameters<ChdbConnection['chdb']['rawInsert']>[0]['format'],
        values,
        settings,
        ...(params.abort_signal ? { signal: params.abort_signal } : {}),
      });
      return { ...base, summary: summary(raw.rowsWritten, raw.bytesWritten, raw.elapsed) };
    } catch (err) {
      // The same error shape as the client's own path (code and type), which the inserter judges retries by.
      throw parseError(err instanceof Error ? err : String(err));
    }
  };

  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'insert') return insert;
      if (prop === 'query' || prop === 'exec' || prop === 'command') return scoped(prop);
      const value: unknown = Reflect.get(target, prop);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function summary(rows: number, bytes: number, elapsedSeconds: number) {
  const r = String(rows || 0);
  const b = String(bytes || 0);
  return {
    read_rows: r,
    read_bytes: b,
    written_rows: r,
    written_bytes: b,
    result_rows: '0',
    result_bytes: '0',
    total_rows_to_read: '0',
    elapsed_ns: String(Math.round((elapsedSeconds || 0) * 1e9)),
  };
}
