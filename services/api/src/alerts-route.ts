import express, { type Router } from 'express';
import { z } from 'zod';
import { exactRouter, describeZodError, ALERT_ACTIONS, ALERT_KINDS, AlertStore, type ClickHouseClient, type Clock } from '@earshot/shared';
import { HttpError, actorOf, parseQuery } from './query-params.js';

const AlertsQuerySchema = z.object({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  brand: z.string().min(1).max(64).optional(),
  kind: z.enum(ALERT_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const IncidentsQuerySchema = AlertsQuerySchema.omit({ kind: true });

const AlertIdSchema = z.object({ id: z.string().min(1).max(512) });
const AssignBodySchema = z.object({ assignee: z.string().trim().min(1).max(200) }).strict();
const NoteBodySchema = z.object({ text: z.string().trim().min(1).max(4000) }).strict();

function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, `invalid body: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

/**
 * GET /v1/alerts: the newest version of each alert, open ones by default.
 * GET /v1/alerts/:id: one alert.
 * POST /v1/alerts/:id/acknowledge, /resolve: a person's action, kept beside the
 * detector's versions (a later detector version opens a resolved alert again).
 * POST /v1/alerts/:id/assign {assignee}, /notes {text}: the incident's owner and notes.
 * GET /v1/alerts/:id/timeline: opened, updated, acknowledged, notified (where), assigned,
 * noted, resolved, oldest first.
 * GET /v1/incidents: alerts grouped by incident_id, each incident with its alerts, worst
 * severity, opened/resolved and the worst alert's summary as headline; open ones by default.
 */
export function createAlertsRouter(deps: { client: ClickHouseClient; clock: Clock }): Router {
  const store = new AlertStore(deps.client);
  const router = exactRouter();
  router.get('/v1/alerts', async (req, res) => {
    const q = parseQuery(AlertsQuerySchema, req.query);
    const items = await store.list(q);
    res.json({ items, count: items.length });
  });
  router.get('/v1/incidents', async (req, res) => {
    const items = await store.incidents(parseQuery(IncidentsQuerySchema, req.query));
    res.json({ items, count: items.length });
  });
  const found = async (id: string) => {
    const alert = await store.get(id);
    if (!alert) throw new HttpError(404, `no alert with id "${id}"`);
    return alert;
  };
  router.get('/v1/alerts/:id', async (req, res) => {
    res.json(await found(parseQuery(AlertIdSchema, req.params).id));
  });
  router.get('/v1/alerts/:id/timeline', async (req, res) => {
    const alert = await found(parseQuery(AlertIdSchema, req.params).id);
    const items = await store.timeline(alert);
    res.json({ alert_id: alert.id, items, count: items.length });
  });
  router.post('/v1/alerts/:id/assign', express.json({ limit: '16kb' }), async (req, res) => {
    const alert = await found(parseQuery(AlertIdSchema, req.params).id);
    const { assignee } = parseBody(AssignBodySchema, req.body);
    await store.act(alert.id, 'assign', actorOf(res), deps.clock.now(), assignee);
    res.json(await found(alert.id));
  });
  router.post('/v1/alerts/:id/notes', express.json({ limit: '16kb' }), async (req, res) => {
    const alert = await found(parseQuery(AlertIdSchema, req.params).id);
    const { text } = parseBody(NoteBodySchema, req.body);
    await store.act(alert.id, 'note', actorOf(res), deps.clock.now(), text);
    res.status(201).json({ alert_id: alert.id, items: await store.timeline(alert) });
  });
  for (const action of ALERT_ACTIONS) {
    router.post(`/v1/alerts/:id/${action}`, async (req, res) => {
      const alert = await found(parseQuery(AlertIdSchema, req.params).id);
      if (alert.status === 'resolved') throw new HttpError(409, `alert "${alert.id}" is already resolved`);
      await store.act(alert.id, action, actorOf(res), deps.clock.now());
      res.json(await found(alert.id));
    });
  }
  return router;
}
