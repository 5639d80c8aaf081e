import type { ClickHouseClient } from '@clickhouse/client';
import { selectRows } from './rows.js';

/**
 * A materialized view's own SELECT, reading `scopedMentions` (a subquery over `mentions`)
 * in place of the whole table: rows rebuilt from the mentions that remain (after an
 * erasure) are what the view would have made, with no second copy of its query to drift.
 */
export async function viewQueryOver(client: ClickHouseClient, view: string, scopedMentions: string): Promise<string> {
  const [mv] = await selectRows<{ as_select: string }>(
    client,
    'SELECT as_select FROM system.tables WHERE database = currentDatabase() AND name = {view:String}',
    {
      view,
    },
  );
  if (!mv) throw new Error(`${view} is missing; run the migrations`);
  const scoped = mv.as_select.replace(/\bFROM\s+(?:`?\w+`?\.)?`?mentions`?/, `FROM (${scopedMentions}) AS mentions`);
  if (scoped === mv.as_select) throw new Error(`cannot scope the query of ${view}: ${mv.as_select}`);
  return scoped;
}
