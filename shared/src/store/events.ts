import type { ClickHouseClient } from '@clickhouse/client';
import { CampaignEventSchema, type CampaignEvent } from '../schemas.js';
import { definedOnly, fromClickHouseTime, toClickHouseTime, selectRows } from './rows.js';

interface EventRow {
  brand: string;
  id: string;
  kind: string;
  title: string;
  description: string;
  starts_at: string;
  ends_at: string | null;
  channels: string[];
  tags: string[];
  url: string;
  metadata: string;
}

const rowToEvent = (r: EventRow): CampaignEvent =>
  CampaignEventSchema.parse({
    id: r.id,
    brand: r.brand,
    kind: r.kind,
    title: r.title,
    ...(r.description ? { description: r.description } : {}),
    starts_at: fromClickHouseTime(r.starts_at),
    ...(r.ends_at ? { ends_at: fromClickHouseTime(r.ends_at) } : {}),
    ...(r.channels.length ? { channels: r.channels } : {}),
    ...(r.tags.length ? { tags: r.tags } : {}),
    ...(r.url ? { url: r.url } : {}),
    ...(r.metadata ? { metadata: JSON.parse(r.metadata) } : {}),
  });

export interface EventFilter {
  brand?: string;
  kind?: string;
  /** Start times in [from, to). */
  from?: string | number | Date;
  to?: string | number | Date;
  limit: number;
}

/** The company's campaign and PR events (`campaign_events`, latest version, deleted ones hidden). Written by the writer from the events topic. */
export class EventTable {
  constructor(private readonly client: ClickHouseClient) {}

  /** Newest start first. */
  async list(q: EventFilter): Promise<CampaignEvent[]> {
    const where = [
      'deleted = 0',
      q.brand && 'brand = {brand:String}',
      q.kind && 'kind = {kind:String}',
      q.from && 'starts_at >= {from:DateTime64(3)}',
      q.to && 'starts_at < {to:DateTime64(3)}',
    ].filter(Boolean);
    const rows = await selectRows<EventRow>(
      this.client,
      `SELECT * EXCEPT (updated_at, deleted) FROM campaign_events FINAL WHERE ${where.join(' AND ')} ORDER BY starts_at DESC LIMIT {limit:UInt32}`,
      definedOnly({
        brand: q.brand,
        kind: q.kind,
        from: q.from && toClickHouseTime(q.from),
        to: q.to && toClickHouseTime(q.to),
        limit: q.limit,
      }),
    );
    return rows.map(rowToEvent);
  }

  /** One event, or null when there is none (or it was deleted). */
  async get(id: string): Promise<CampaignEvent | null> {
    const rows = await selectRows<EventRow>(
      this.client,
      'SELECT * EXCEPT (updated_at, deleted) FROM campaign_events FINAL WHERE id = {id:String} AND deleted = 0 LIMIT 1',
      { id },
    );
    return rows[0] ? rowToEvent(rows[0]) : null;
  }
}
