import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClickHouseClient } from '@earshot/shared';

/**
 * An HTTP stand-in for a ClickHouse server, over chDB: INSERTs sent the way
 * @clickhouse/client sends them (`POST /?query=INSERT INTO t [(columns)] FORMAT
 * JSONEachRow` or `JSONCompactEachRow`, rows in the body) are stored in the real engine. `fail` queues what a proxy in front of
 * ClickHouse answers while the server is away (a 503 page) or drops the connection,
 * before or after the insert went through. Only what the fault tests need; the server's
 * own behaviour is not proven by it.
 */
export async function startStoreStandIn(chdb: ClickHouseClient) {
  const faults: ({ status: number; body: string } | 'drop' | 'drop_after_insert')[] = [];
  let inserts = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const fault = faults.shift();
    if (fault === 'drop') return void req.socket.destroy();
    if (fault && fault !== 'drop_after_insert') {
      res.writeHead(fault.status, { 'content-type': 'text/html' });
      return void res.end(fault.body);
    }
    const params = new URL(req.url ?? '/', 'http://x').searchParams;
    const query = params.get('query') ?? '';
    // The settings a server would apply to the insert (the deduplication token among them).
    const settings = Object.fromEntries(
      [...params].filter(([k]) => /^(insert_deduplication_token|deduplicate_blocks_in_dependent_materialized_views|date_time_input_format)$/.test(k)),
    );
    const insert = /^INSERT INTO\s+(\S+)\s*(?:\(([^)]*)\))?\s+FORMAT (JSONEachRow|JSONCompactEachRow)\s*$/i.exec(query.trim());
    if (!insert) {
      res.writeHead(400, { 'x-clickhouse-exception-code': '1' });
      return void res.end('Code: 1. DB::Exception: the stand-in only takes JSONEachRow and JSONCompactEachRow inserts. (UNSUPPORTED_METHOD)');
    }
    const columns = insert[2]?.split(',').map((c) => c.trim().replace(/^`|`$/g, ''));
    const values = Buffer.concat(chunks)
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown> | unknown[]);
    try {
      await chdb.insert({
        table: insert[1]!,
        values,
        format: insert[3] as 'JSONEachRow' | 'JSONCompactEachRow',
        ...(columns ? { columns: columns as [string, ...string[]] } : {}),
        clickhouse_settings: settings,
      });
      inserts++;
    } catch (err) {
      // ClickHouse's own error text, as a server sends it with a 500.
      res.writeHead(500, { 'x-clickhouse-exception-code': String((err as { code?: string }).code ?? '0') });
      return void res.end(`Code: ${(err as { code?: string }).code ?? 0}. DB::Exception: ${(err as Error).message}`);
    }
    if (fault === 'drop_after_insert') return void req.socket.destroy();
    res.writeHead(200, { 'x-clickhouse-summary': JSON.stringify({ written_rows: String(values.length) }) });
    res.end('');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    fail: (...f: typeof faults) => void faults.push(...f),
    inserts: () => inserts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
