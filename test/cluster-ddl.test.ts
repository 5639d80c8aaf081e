import { describe, expect, it } from 'vitest';
import { ClusterDdlError, SCHEMA_MIGRATIONS_TABLE, forCluster, loadMigrations, migrate } from '@earshot/shared';
import { migratedStoreForSuite, quietLogger } from './helpers.js';

// The cluster layout (docs/architecture.md, "ClickHouse cluster") cannot run here: replicated
// tables need Keeper and ON CLUSTER a remote_servers cluster, and chDB has neither. What chDB
// can check is the SQL: ClickHouse's own parser reads every statement in its cluster form,
// and its formatter shows it differs from the single-node statement in the cluster clause
// and the engine alone.
const suite = migratedStoreForSuite();

const statements = [SCHEMA_MIGRATIONS_TABLE, ...loadMigrations().flatMap((m) => m.statements)];

async function formatted(sql: string): Promise<string> {
  const rs = await suite.store.client.query({ query: 'SELECT formatQuery({sql:String}) AS f', query_params: { sql }, format: 'JSONEachRow' });
  const [row] = await rs.json<{ f: string }>();
  return row!.f;
}

/** The cluster form taken back to one node, by hand: what forCluster must have added, and nothing else. */
const singleNode = (f: string) =>
  f
    .replace(/ ON CLUSTER earshot\b/g, '')
    .replace(/ENGINE = Replicated(\w*MergeTree)\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'(?:, )?/g, 'ENGINE = $1(')
    .replace(/\breplicated_deduplication_window\b/g, 'non_replicated_deduplication_window');

describe('forCluster: the migrations on a cluster of replicas', () => {
  it('gives every statement a cluster form ClickHouse parses, changed only in its cluster clause and engine', async () => {
    expect(statements.length).toBeGreaterThan(50);
    for (const sql of statements) {
      const cluster = await formatted(forCluster(sql, 'earshot'));
      // formatQuery writes MergeTree() as MergeTree: format the hand-made single-node form once more.
      expect(await formatted(singleNode(cluster)), sql.slice(0, 80)).toBe(await formatted(sql));
      // A replicated table ignores the single-node deduplication window; its own is kept in Keeper.
      expect(cluster).not.toContain('non_replicated_deduplication_window');
      if (/^\s*INSERT/i.test(sql)) expect(cluster).not.toContain('ON CLUSTER');
      else expect(cluster, sql.slice(0, 80)).toContain('ON CLUSTER earshot');
    }
  });

  it('makes every table the migrated store holds a replicated one', async () => {
    const rs = await suite.store.client.query({
      query: "SELECT name, engine FROM system.tables WHERE database = currentDatabase() AND engine LIKE '%MergeTree' ORDER BY name",
      format: 'JSONEachRow',
    });
    const tables = await rs.json<{ name: string; engine: string }>();
    expect(tables.length).toBeGreaterThan(15);
    const replicated = new Map<string, string>();
    for (const sql of statements) {
      const m =
        /^\s*CREATE TABLE IF NOT EXISTS (\w+) ON CLUSTER \S+[\s\S]*\bENGINE = (Replicated\w+)\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'/.exec(
          forCluster(sql, 'earshot'),
        );
      if (m) replicated.set(m[1]!, m[2]!);
    }
    expect(Object.fromEntries(tables.map((t) => [t.name, replicated.get(t.name)]))).toEqual(
      Object.fromEntries(tables.map((t) => [t.name, `Replicated${t.engine}`])),
    );
  });

  it('refuses a statement it has no cluster form for, rather than running it on one node', () => {
    expect(() => forCluster('OPTIMIZE TABLE mentions FINAL', 'earshot')).toThrow(ClusterDdlError);
    expect(() => forCluster('OPTIMIZE TABLE mentions FINAL', 'earshot')).toThrow(/no cluster form .*cluster-ddl\.ts.*OPTIMIZE TABLE mentions/);
  });

  it("quotes the cluster's name", () => {
    expect(forCluster('DROP VIEW IF EXISTS v', "it's")).toBe("DROP VIEW IF EXISTS v ON CLUSTER 'it\\'s'");
  });

  it('is what migrate sends when given a cluster: chDB, one node, refuses it by the cluster name', async () => {
    await expect(migrate(suite.store.client, quietLogger(), { cluster: 'earshot' })).rejects.toThrow(/cluster 'earshot' not found/);
  });
});
