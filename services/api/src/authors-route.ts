import express, { Router } from 'express';
import { TupleParam } from '@clickhouse/client';
import { CareStore, fromClickHouseTime, toClickHouseTime, type ClickHouseClient, type Clock } from '@earshot/shared';
import { eraseAuthor } from './author-erasure.js';
import { toApiMention, type MentionRecord } from './mentions-route.js';
import { AuthorLinksBodySchema, AuthorParamsSchema, HttpError, parseQuery } from './query-params.js';

type Identity = { source: string; id: string };

/** The identity asked for, plus the ones the care team linked to it (both ways). */
async function identities(client: ClickHouseClient, who: Identity): Promise<Identity[]> {
  const rows = await (
    await client.query({
      // Output names differ from the columns: ClickHouse would read an alias named like a column in WHERE.
      query: `SELECT linked_source AS other_source, linked_author_id AS other_id FROM author_links FINAL WHERE source = {source:String} AND author_id = {id:String}
              UNION ALL
              SELECT source AS other_source, author_id AS other_id FROM author_links FINAL WHERE linked_source = {source:String} AND linked_author_id = {id:String}`,
      query_params: who,
      format: 'JSONEachRow',
    })
  ).json<{ other_source: string; other_id: string }>();
  const seen = new Map([[`${who.source}:${who.id}`, who]]);
  for (const r of rows) seen.set(`${r.other_source}:${r.other_id}`, { source: r.other_source, id: r.other_id });
  return [...seen.values()];
}

/**
 * GET /v1/authors/:source/:id — one customer's mentions across the sources linked to
 * them, newest first, with their daily sentiment trajectory and their open issues
 * (complaints and questions no brand account answered).
 * PUT /v1/authors/:source/:id/links — links other identities of the same customer.
 * DELETE /v1/authors/:source/:id — erases the author, and the identities linked to them,
 * everywhere Earshot keeps their data.
 */
export function createAuthorsRouter(deps: { client: ClickHouseClient; clock: Clock }): Router {
  const router = Router();
  const care = new CareStore(deps.client);
  router.get('/v1/authors/:source/:id', async (req, res) => {
    const who = parseQuery(AuthorParamsSchema, req.params);
    const ids = await identities(deps.client, who);
    const keys = { keys: ids.map((i) => new TupleParam([i.source, i.id])) };
    const mentions = await (
      await deps.client.query({
        query: `SELECT * EXCEPT (metadata, stored_at, enriched_at) FROM mentions FINAL WHERE (source, author_id) IN {keys:Array(Tuple(String, String))}
                ORDER BY created_at DESC LIMIT 1000`,
        query_params: keys,
        format: 'JSONEachRow',
      })
    ).json<MentionRecord>();
    if (mentions.length === 0 && ids.length === 1) throw new HttpError(404, `no mentions by ${who.source} author ${who.id}`);
    const trajectory = await (
      await deps.client.query({
        query: `SELECT toString(toStartOfDay(created_at)) AS day, count() AS mentions, avg(sentiment_score) AS mean_score,
                       countIf(sentiment_label = 'negative') AS negative, groupUniqArray(source) AS sources
                FROM mentions FINAL WHERE (source, author_id) IN {keys:Array(Tuple(String, String))} GROUP BY day ORDER BY day`,
        query_params: keys,
        format: 'JSONEachRow',
      })
    ).json<{ day: string; mentions: string; mean_score: number; negative: string; sources: string[] }>();
    const open = await care.queue({ authors: ids, since: 0, now: deps.clock.now(), limit: 1000, order: 'oldest' });
    const newest = mentions[0];
    res.json({
      author: { source: who.source, id: who.id, ...(newest ? { handle: newest.author_handle, name: newest.author_name || undefined, followers: Number(newest.author_followers) } : {}) },
      identities: ids,
      mentions: mentions.map(toApiMention),
      trajectory: trajectory.map((t) => ({ day: fromClickHouseTime(`${t.day}.000`), mentions: Number(t.mentions), mean_score: Math.round(t.mean_score * 10_000) / 10_000, negative: Number(t.negative), sources: t.sources })),
      open_issues: open,
    });
  });
  router.put('/v1/authors/:source/:id/links', express.json({ limit: '64kb' }), async (req, res) => {
    const who = parseQuery(AuthorParamsSchema, req.params);
    const body = parseQuery(AuthorLinksBodySchema, req.body);
    await deps.client.insert({
      table: 'author_links',
      values: body.links.map((l) => ({ source: who.source, author_id: who.id, linked_source: l.source, linked_author_id: l.id, created_at: toClickHouseTime(deps.clock.now()) })),
      format: 'JSONEachRow',
    });
    res.json({ identities: await identities(deps.client, who) });
  });
  router.delete('/v1/authors/:source/:id', async (req, res) => {
    const who = parseQuery(AuthorParamsSchema, req.params);
    // The identities the care team linked are the same person: erased with them.
    const ids = await identities(deps.client, who);
    const removed: Record<string, number> = {};
    for (const i of ids) for (const [k, n] of Object.entries(await eraseAuthor(deps.client, i.source, i.id, deps.clock.now()))) removed[k] = (removed[k] ?? 0) + n;
    res.json({ erased: ids, removed });
  });
  return router;
}
