import type { ClickHouseClient } from '@clickhouse/client';

interface TableInfo {
  name: string;
  engine: string;
  create_table_query: string;
}

/**
 * docs/schema.md: every table and view of a migrated store as ClickHouse itself states
 * it (SHOW CREATE), so the current schema is in one file rather than spread over the
 * migrations that built it. `npm run docs:schema` writes it; a test keeps it true.
 */
export async function renderSchemaDoc(client: ClickHouseClient, database: string): Promise<string> {
  const tables = await (
    await client.query({
      query: 'SELECT name, engine, create_table_query FROM system.tables WHERE database = {database:String} ORDER BY name',
      query_params: { database },
      format: 'JSONEachRow',
    })
  ).json<TableInfo>();
  const out = [
    '# The store schema',
    '',
    'Generated from a freshly migrated store by `npm run docs:schema` (a test fails when it is out of date);',
    'the migrations in `shared/src/store/migrations/` build it, the repositories in `shared/src/store/` are',
    "each table's one home. Database name as configured (`EARSHOT_CLICKHOUSE_DATABASE`, `earshot` by default).",
    '',
    '| table | engine |',
    '|---|---|',
    ...tables.map((t) => `| [\`${t.name}\`](#${t.name}) | ${t.engine} |`),
    '',
  ];
  for (const t of tables) {
    out.push(`## ${t.name}`, '', '```sql', pretty(t.create_table_query.replaceAll(`${database}.`, '')), '```', '');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** One column or clause a line: ClickHouse states a table on a single line. */
function pretty(sql: string): string {
  const open = sql.indexOf('(');
  if (!sql.startsWith('CREATE TABLE') || open < 0) return sql;
  let depth = 0;
  let close = -1;
  for (let i = open; i < sql.length; i++) {
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')' && --depth === 0) {
      close = i;
      break;
    }
  }
  if (close < 0) return sql;
  const columns: string[] = [];
  let start = open + 1;
  depth = 0;
  let quoted = false;
  for (let i = open + 1; i < close; i++) {
    const c = sql[i];
    if (c === "'" && sql[i - 1] !== '\\') quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      columns.push(sql.slice(start, i).trim());
      start = i + 1;
    }
  }
  columns.push(sql.slice(start, close).trim());
  const tail = sql
    .slice(close + 1)
    .trim()
    .replace(/ (ENGINE|PARTITION BY|PRIMARY KEY|ORDER BY|TTL|SETTINGS|COMMENT) /g, '\n$1 ');
  return `${sql.slice(0, open).trim()}\n(\n${columns.map((c) => `    ${c}`).join(',\n')}\n)\n${tail}`;
}
