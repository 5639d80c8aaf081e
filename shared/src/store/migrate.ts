import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../logger.js';
import { forCluster } from './cluster-ddl.js';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

/** Reads NNN_name.sql files in order; statements end with a ";" at the end of a line. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3,}_[\w-]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      const statements = sql
        .split(/;\s*$/m)
        .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
        .filter(Boolean);
      return {
        version: Number(file.slice(0, file.indexOf('_'))),
        name: file.replace(/\.sql$/, ''),
        checksum: createHash('sha256').update(sql).digest('hex'),
        statements,
      };
    });
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Which migrations a store has had: the one table migrate() makes itself. */
export const SCHEMA_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
) ENGINE = ReplacingMergeTree ORDER BY version`;

export interface MigrateOptions {
  /** The migrations to apply (the files in MIGRATIONS_DIR by default). */
  migrations?: Migration[];
  /** A ClickHouse cluster of replicas (EARSHOT_CLICKHOUSE_CLUSTER): each statement runs in its cluster form (cluster-ddl.ts). */
  cluster?: string;
}

/**
 * Applies migrations not yet recorded in schema_migrations, in order. A migration
 * whose file changed after it was applied stops the run: write a new one instead.
 */
export async function migrate(client: ClickHouseClient, logger: Logger, options: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const { migrations = loadMigrations(), cluster } = options;
  const run = (statement: string) => client.command({ query: cluster ? forCluster(statement, cluster) : statement });
  await run(SCHEMA_MIGRATIONS_TABLE);
  const rows = await (
    await client.query({ query: 'SELECT version, name, checksum FROM schema_migrations FINAL ORDER BY version', format: 'JSONEachRow' })
  ).json<{ version: number; name: string; checksum: string }>();
  const done = new Map(rows.map((r) => [Number(r.version), r]));
  const applied: string[] = [];
  for (const m of migrations) {
    const previous = done.get(m.version);
    if (previous) {
      if (previous.checksum !== m.checksum) {
        throw new MigrationError(
          `migration ${m.name} changed after it was applied (recorded checksum ${previous.checksum.slice(0, 12)}, file ${m.checksum.slice(0, 12)}); add a new migration instead of editing it`,
        );
      }
      continue;
    }
    logger.info({ migration: m.name, ...(cluster ? { cluster } : {}) }, 'applying migration');
    for (const statement of m.statements) await run(statement);
    await client.insert({ table: 'schema_migrations', values: [{ version: m.version, name: m.name, checksum: m.checksum }], format: 'JSONEachRow' });
    applied.push(m.name);
  }
  return { applied };
}
