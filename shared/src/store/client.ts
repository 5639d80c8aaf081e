import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Config } from '../config.js';
import { forCluster } from './cluster-ddl.js';
import { callScopedSettings } from './chdb-settings.js';

export type { ClickHouseClient };
type ChdbAsClientConnection = NonNullable<NonNullable<Parameters<typeof createClient>[0]>['connection']>;

export interface Store {
  client: ClickHouseClient;
  /** 'server' over HTTP, or 'chdb' in-process under the data directory. */
  kind: 'server' | 'chdb';
  database: string;
  /** Where it is, for banners and logs: the data directory or the server URL, with no credentials. */
  where: string;
  close(): Promise<void>;
}

/**
 * chDB lets one process use a data directory (ClickHouse locks its `status` file): a
 * second Earshot process on the same directory, say a detector replica, cannot start.
 */
export class StoreInUseError extends Error {
  override readonly name = 'StoreInUseError';
  constructor(
    readonly path: string,
    cause: string,
  ) {
    super(
      `cannot open the embedded store in ${path} (${cause}); most likely another Earshot process is using it: chDB lets one process use a data directory. Run the services in one process (earshot run), give this one its own EARSHOT_DATA_DIR, or point every replica at a ClickHouse server (EARSHOT_CLICKHOUSE_URL)`,
    );
  }
}
/** chDB reports a locked directory only on stderr; its error says the connection failed, and the lock file is there. */
const inUse = (err: unknown, path: string) =>
  /Cannot lock file|Another server instance|Failed to create connection/i.test(String((err as Error)?.message ?? err)) && existsSync(join(path, 'status'));

/** A URL fit to print: its password and any password or key in the query replaced by "***". */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const name of [...u.searchParams.keys()]) if (/pass|secret|key|token/i.test(name)) u.searchParams.set(name, '***');
    return u.toString();
  } catch {
    return '(an unreadable URL)';
  }
}

/**
 * A ClickHouse client on the configured database: a ClickHouse server when
 * EARSHOT_CLICKHOUSE_URL is set, otherwise chDB (ClickHouse's engine in-process)
 * under EARSHOT_DATA_DIR/clickhouse. Callers see the same @clickhouse/client API
 * and run the same SQL on both.
 */
export async function openStore(config: Config): Promise<Store> {
  const database = config.EARSHOT_CLICKHOUSE_DATABASE;
  if (config.EARSHOT_CLICKHOUSE_URL) {
    const auth = { url: config.EARSHOT_CLICKHOUSE_URL, username: config.EARSHOT_CLICKHOUSE_USER, password: config.EARSHOT_CLICKHOUSE_PASSWORD ?? '' };
    const bootstrap = createClient(auth);
    try {
      const create = `CREATE DATABASE IF NOT EXISTS ${database}`;
      await bootstrap.command({ query: config.EARSHOT_CLICKHOUSE_CLUSTER ? forCluster(create, config.EARSHOT_CLICKHOUSE_CLUSTER) : create });
    } finally {
      await bootstrap.close();
    }
    const client = createClient({ ...auth, database, clickhouse_settings: { date_time_input_format: 'best_effort' } });
    const cluster = config.EARSHOT_CLICKHOUSE_CLUSTER ? ` (cluster ${config.EARSHOT_CLICKHOUSE_CLUSTER})` : '';
    return { client, kind: 'server', database, where: `${redactUrl(config.EARSHOT_CLICKHOUSE_URL)}${cluster}`, close: () => client.close() };
  }
  // chDB loads a 500 MB native library: import it only when the embedded store is used.
  const { createChdbConnection } = await import('chdb/connection');
  const path = resolve(config.EARSHOT_DATA_DIR, 'clickhouse');
  mkdirSync(path, { recursive: true });
  // chdb types the connection against @clickhouse/client-common, which the client now bundles:
  // same shape, different declaration files, hence the cast.
  let client: ClickHouseClient;
  try {
    const settings = { date_time_input_format: 'best_effort' } as const;
    const connection = callScopedSettings(createChdbConnection({ path }), settings) as unknown as ChdbAsClientConnection;
    client = createClient({ connection, clickhouse_settings: settings });
    // chDB ignores the client's `database` option; USE sticks for the whole session instead.
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    await client.command({ query: `USE ${database}` });
  } catch (err) {
    throw inUse(err, path) ? new StoreInUseError(path, String((err as Error)?.message ?? err)) : err;
  }
  return { client, kind: 'chdb', database, where: `chDB in ${config.EARSHOT_DATA_DIR}`, close: () => client.close() };
}
