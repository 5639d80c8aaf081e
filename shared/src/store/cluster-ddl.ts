/**
 * A migration statement for a ClickHouse cluster of replicas (one shard; see "ClickHouse
 * cluster" in docs/architecture.md): DDL runs ON CLUSTER, so every replica gets the same
 * tables and views, and each MergeTree-family table becomes its Replicated twin, so a row
 * written on one replica reaches the others and a block's insert_deduplication_token is
 * remembered in Keeper for all of them. The migrations stay single-node SQL, the one
 * source of the schema; this rewrites each statement as it is applied.
 */
export class ClusterDdlError extends Error {
  override readonly name = 'ClusterDdlError';
}

/** Where each replicated table keeps its parts list in Keeper: one path per table, per shard, per database. */
const REPLICA_PATH = "'/clickhouse/tables/{shard}/{database}/{table}'";
const REPLICA_NAME = "'{replica}'";

/** The statement's kind and its object's name, after which ON CLUSTER goes. */
const HEAD =
  /^(\s*(?:CREATE\s+(?:TABLE|VIEW|MATERIALIZED\s+VIEW|DATABASE)\s+IF\s+NOT\s+EXISTS|DROP\s+(?:VIEW|TABLE)\s+IF\s+EXISTS|ALTER\s+TABLE)\s+[A-Za-z_][A-Za-z0-9_]*)/i;
const quote = (cluster: string) => `'${cluster.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The statement with `ON CLUSTER` after its object's name, and Replicated engines. */
export function forCluster(statement: string, cluster: string): string {
  // An insert (a migration's backfill) runs on one replica; a replicated table carries its rows to the others.
  if (/^\s*INSERT\s/i.test(statement)) return statement;
  const m = HEAD.exec(statement);
  if (!m) throw new ClusterDdlError(`no cluster form for this migration statement (add one to cluster-ddl.ts): ${statement.slice(0, 80)}`);
  let out = `${m[1]} ON CLUSTER ${quote(cluster)}${statement.slice(m[0].length)}`;
  out = out.replace(
    /\bENGINE\s*=\s*((?:Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing)?MergeTree)\b(\s*\(([^)]*)\))?/g,
    (_all, engine: string, _p, args?: string) => {
      const rest = args?.trim() ? `, ${args.trim()}` : '';
      return `ENGINE = Replicated${engine}(${REPLICA_PATH}, ${REPLICA_NAME}${rest})`;
    },
  );
  // Replicated tables keep their own deduplication window (replicated_deduplication_window, in Keeper).
  out = out.replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window');
  return out;
}
