import type { Router } from 'express';
import { z } from 'zod';
import { StoryStore, exactRouter, type Clock } from '@earshot/shared';
import { HttpError, parseQuery, time } from './query-params.js';

const DAY = 86_400_000;

export const StoriesQuerySchema = z.object({
  brand: z.string().min(1).max(64),
  from: time.optional(),
  to: time.optional(),
  sort: z.enum(['rising', 'volume']).default('rising'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

const StoryIdSchema = z.object({ id: z.string().min(1).max(64) });

/**
 * GET /v1/stories: a brand's stories with mentions in [from, to) (default: the last 24
 * hours), rising (most grown against the window before) or by volume. GET
 * /v1/stories/:id: one story's totals, hourly timeline, sources and first posts.
 */
export function createStoriesRouter(deps: { stories: StoryStore; clock: Clock }): Router {
  const router = exactRouter();
  router.get('/v1/stories', async (req, res) => {
    const q = parseQuery(StoriesQuerySchema, req.query);
    const to = q.to ?? new Date(deps.clock.now());
    const from = q.from ?? new Date(to.getTime() - DAY);
    if (from.getTime() >= to.getTime()) throw new HttpError(400, 'invalid query: from must be before to');
    const items = await deps.stories.list({ brand: q.brand, from, to, sort: q.sort, limit: q.limit });
    res.json({ brand: q.brand, from: from.toISOString(), to: to.toISOString(), sort: q.sort, items, count: items.length });
  });
  router.get('/v1/stories/:id', async (req, res) => {
    const { id } = parseQuery(StoryIdSchema, req.params);
    const story = await deps.stories.get(id);
    if (!story) throw new HttpError(404, `no story with id "${id}"`);
    res.json(story);
  });
  return router;
}
