import { selectRows } from './rows.js';
import type { Store } from './client.js';

/** A stored mention of one source: its id and when it was made (epoch ms). */
export interface StoredMention {
  id: string;
  created_at: number;
}

/** The mentions a source has in the store, a page at a time in id order, for sweeps over their whole stored life. */
export interface StoredMentions {
  after(source: string, afterId: string, limit: number): Promise<StoredMention[]>;
}

/** Reads `mentions` (ordered by source and id, so a page is one range read). */
export class ClickHouseStoredMentions implements StoredMentions {
  constructor(private readonly client: Store['client']) {}

  async after(source: string, afterId: string, limit: number): Promise<StoredMention[]> {
    const rows = await selectRows<{ id: string; t: string | number }>(
      this.client,
      `SELECT id, toUnixTimestamp64Milli(min(created_at)) AS t FROM mentions
        WHERE source = {source:String} AND id > {after:String}
        GROUP BY id ORDER BY id LIMIT {limit:UInt32}`,
      { source, after: afterId, limit },
    );
    return rows.map((r) => ({ id: r.id, created_at: Number(r.t) }));
  }
}
