import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../logger.js';
import { migrate } from './migrate.js';

/**
 * Two migrated databases in one chDB, one without the story views: `npm run bench:stories`
 * inserts the same blocks into each in turn to price what the story views cost an insert.
 * Names are the caller's constants (identifiers, not user input).
 */
export async function storyViewCostDatabases(client: ClickHouseClient, logger: Logger, dbs: { withViews: string; withoutViews: string }) {
  for (const db of [dbs.withViews, dbs.withoutViews]) {
    await client.command({ query: `CREATE DATABASE ${db}` });
    await client.command({ query: `USE ${db}` });
    await migrate(client, logger);
  }
  const views = await client.query({
    query: `SELECT name FROM system.tables WHERE database = {db:String} AND engine = 'MaterializedView' AND name LIKE 'stor%'`,
    query_params: { db: dbs.withoutViews },
    format: 'JSONEachRow',
  });
  for (const { name } of await views.json<{ name: string }>()) await client.command({ query: `DROP VIEW ${dbs.withoutViews}.${name}` });
  /** Makes `db` the one later statements (and inserts) go to. */
  return { use: (db: string) => client.command({ query: `USE ${db}` }) };
}
