import express, { type Router } from 'express';
import {
  exactRouter,
  AuthorStore,
  CareStore,
  eraseAuthor,
  fromClickHouseTime,
  isAuthorsRecord,
  type Bus,
  type ClickHouseClient,
  type Clock,
} from '@earshot/shared';
import { toApiMention, type MentionRecord } from './mentions-route.js';
import { AuthorLinksBodySchema, AuthorParamsSchema, HttpError, parseQuery } from './query-params.js';

/**
 * GET /v1/authors/:source/:id — one customer's mentions across the sources linked to
 * them, newest first, with their daily sentiment trajectory and their open issues
 * (complaints and questions no brand account answered).
 * PUT /v1/authors/:source/:id/links — links other identities of the same customer.
 * DELETE /v1/authors/:source/:id — erases the author, and the identities linked to them,
 * everywhere Earshot keeps their data.
 */
/** `bus`: the one this process publishes to, whose own files (the embedded bus's) erasure reaches too. */
export function createAuthorsRouter(deps: { client: ClickHouseClient; clock: Clock; bus?: Bus }): Router {
  const router = exactRouter();
  const care = new CareStore(deps.client);
  const authors = new AuthorStore(deps.client);
  router.get('/v1/authors/:source/:id', async (req, res) => {
    const who = parseQuery(AuthorParamsSchema, req.params);
    const ids = await authors.identities(who);
    const mentions = await authors.mentions<MentionRecord>(ids, 1000);
    if (mentions.length === 0 && ids.length === 1) throw new HttpError(404, `no mentions by ${who.source} author ${who.id}`);
    const trajectory = await authors.trajectory(ids);
    const open = await care.queue({ authors: ids, since: 0, now: deps.clock.now(), limit: 1000, order: 'oldest' });
    const newest = mentions[0];
    res.json({
      author: {
        source: who.source,
        id: who.id,
        ...(newest ? { handle: newest.author_handle, name: newest.author_name || undefined, followers: Number(newest.author_followers) } : {}),
      },
      identities: ids,
      mentions: mentions.map(toApiMention),
      trajectory: trajectory.map((t) => ({ ...t, day: fromClickHouseTime(`${t.day}.000`), mean_score: Math.round(t.mean_score * 10_000) / 10_000 })),
      open_issues: open,
    });
  });
  router.put('/v1/authors/:source/:id/links', express.json({ limit: '64kb' }), async (req, res) => {
    const who = parseQuery(AuthorParamsSchema, req.params);
    const body = parseQuery(AuthorLinksBodySchema, req.body);
    await authors.link(who, body.links, deps.clock.now());
    res.json({ identities: await authors.identities(who) });
  });
  router.delete('/v1/authors/:source/:id', async (req, res) => {
    const who = parseQuery(AuthorParamsSchema, req.params);
    // The identities the care team linked are the same person: erased with them.
    const ids = await authors.identities(who);
    const removed: Record<string, number> = {};
    for (const i of ids)
      for (const [k, n] of Object.entries(await eraseAuthor(deps.client, i.source, i.id, deps.clock.now()))) removed[k] = (removed[k] ?? 0) + n;
    // After the store: a record the writer takes meanwhile is dropped there as erased.
    if (deps.bus?.forget) removed.bus_records = await deps.bus.forget(isAuthorsRecord(ids));
    res.json({ erased: ids, removed });
  });
  return router;
}
