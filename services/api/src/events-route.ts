import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { z } from 'zod';
import {
  exactRouter,
  CAMPAIGN_EVENT_KINDS,
  CampaignEventSchema,
  describeZodError,
  eventsTopic,
  topicMessage,
  EventTable,
  type Bus,
  type CampaignEvent,
  type ClickHouseClient,
} from '@earshot/shared';
import { HttpError, intervalSeconds, parseQuery, timeText } from './query-params.js';
import { defaultAfterMs, eventImpact } from './event-impact.js';
import { parseEventsCsv, parseEventsIcs } from './event-import.js';

const ListSchema = z.object({
  brand: z.string().min(1).max(64).optional(),
  kind: z.enum(CAMPAIGN_EVENT_KINDS).optional(),
  from: timeText.optional(),
  to: timeText.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const ImportQuerySchema = z.object({ brand: z.string().min(1).max(64).optional(), kind: z.enum(CAMPAIGN_EVENT_KINDS).optional() });
const ImpactSchema = z.object({ before: intervalSeconds.default(86_400), after: intervalSeconds.optional() });
const NewEventSchema = CampaignEventSchema.omit({ deleted: true }).extend({ id: z.string().min(1).max(256).optional() });
const PatchSchema = CampaignEventSchema.omit({ id: true, brand: true, deleted: true }).partial().strict();

/** Events travel through the events topic (the writer stores them), like every other write; reads come from the store. */
export class EventRepository {
  private readonly table: EventTable;
  constructor(private readonly deps: { client: ClickHouseClient; bus: Bus; topic: string }) {
    this.table = new EventTable(deps.client);
  }

  async publish(events: CampaignEvent[]): Promise<void> {
    await this.deps.bus.publish(
      this.deps.topic,
      events.map((e) => topicMessage(eventsTopic, e)),
    );
  }

  list(q: z.infer<typeof ListSchema>): Promise<CampaignEvent[]> {
    return this.table.list(q);
  }

  async get(id: string): Promise<CampaignEvent> {
    const event = await this.table.get(id);
    if (!event) throw new HttpError(404, `no event ${id}`);
    return event;
  }
}

const body = <S extends z.ZodType>(schema: S, value: unknown): z.infer<S> => {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new HttpError(400, `invalid event: ${describeZodError(parsed.error)}`);
  return parsed.data;
};

/**
 * /v1/events: campaigns, launches, PR moments and incidents beside the mentions.
 * POST (one or an array; 202, stored by the writer), GET list and one, PATCH, DELETE,
 * and GET /v1/events/:id/impact (before vs after windows, `before`/`after` like 24h).
 */
export function createEventsRouter(repo: EventRepository, client: ClickHouseClient): Router {
  const router = exactRouter();
  // A CSV or iCalendar file as the body, as `earshot events import` reads it from disk.
  router.post('/v1/events/import', express.text({ type: () => true, limit: '2mb' }), async (req, res) => {
    const text = typeof req.body === 'string' ? req.body : '';
    if (!text.trim()) throw new HttpError(400, 'the body must be a CSV file (header: title, starts_at, brand, kind, …) or an iCalendar file');
    const defaults = parseQuery(ImportQuerySchema, req.query);
    const isIcs = /calendar/.test(req.get('content-type') ?? '') || text.trimStart().startsWith('BEGIN:VCALENDAR');
    let result;
    try {
      result = isIcs ? parseEventsIcs(text, defaults) : parseEventsCsv(text, defaults);
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
    if (result.events.length) await repo.publish(result.events);
    const answer = { format: isIcs ? 'ics' : 'csv', imported: result.events.length, events: result.events, rejected: result.rejected };
    if (result.events.length) res.status(202).json(answer);
    else
      res.status(400).json({
        error: `nothing could be imported: ${result.rejected.map((r) => `record ${r.record}: ${r.reason}`).join('; ') || 'the file holds no records'}`,
        ...answer,
      });
  });
  router.use('/v1/events', express.json({ limit: '1mb' }));
  router.post('/v1/events', async (req, res) => {
    const items = (Array.isArray(req.body) ? req.body : [req.body]).map((e: unknown, i: number) => {
      try {
        return { id: randomUUID(), ...body(NewEventSchema, e) };
      } catch (err) {
        throw new HttpError(400, `item ${i}: ${(err as Error).message}`);
      }
    });
    await repo.publish(items);
    res.status(202).json({ items });
  });
  router.get('/v1/events', async (req, res) => {
    const items = await repo.list(parseQuery(ListSchema, req.query));
    res.json({ items, count: items.length });
  });
  router.get('/v1/events/:id', async (req, res) => {
    res.json(await repo.get(String(req.params.id)));
  });
  router.patch('/v1/events/:id', async (req, res) => {
    const updated = { ...(await repo.get(String(req.params.id))), ...body(PatchSchema, req.body) };
    await repo.publish([body(CampaignEventSchema, updated)]);
    res.json(updated);
  });
  router.delete('/v1/events/:id', async (req, res) => {
    await repo.publish([{ ...(await repo.get(String(req.params.id))), deleted: true }]);
    res.status(204).end();
  });
  router.get('/v1/events/:id/impact', async (req, res) => {
    const event = await repo.get(String(req.params.id));
    const q = parseQuery(ImpactSchema, req.query);
    const afterMs = q.after ? q.after * 1000 : defaultAfterMs(event);
    res.json(await eventImpact(client, event, { beforeMs: q.before * 1000, afterMs }));
  });

  return router;
}
