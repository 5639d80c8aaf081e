import { z } from 'zod';
import type { EngagementUpdate, Mention } from '@earshot/shared';
import { cronExpression, defineSource, requireEnv } from '../define.js';
import { HttpError, TokenCache, withTokenRenewal, type HttpClient } from '../http.js';
import { harvestNewestFirst, isUnusable, itemOrUnusable } from '../paging.js';
import type { Cursor, Harvest } from '../types.js';
import { chunks } from '../text.js';

// https://www.reddit.com/dev/api : Listing { kind, data: { after, children: [{ kind: t1|t3, data }] } }
const Listing = z.object({ kind: z.literal('Listing'), data: z.object({ after: z.string().nullish(), children: z.array(z.unknown()) }) });
const Thing = z.object({
  kind: z.enum(['t1', 't3']),
  data: z.object({
    name: z.string().min(1),
    author: z.string().min(1),
    author_fullname: z.string().optional(),
    created_utc: z.number(),
    permalink: z.string(),
    subreddit: z.string(),
    score: z.number().default(0),
    title: z.string().optional(),
    selftext: z.string().optional(),
    body: z.string().optional(),
    num_comments: z.number().optional(),
    parent_id: z.string().optional(),
    link_id: z.string().optional(),
    url: z.string().optional(),
    removed_by_category: z.string().nullish(),
  }),
});
const Token = z.object({ access_token: z.string().min(1), expires_in: z.number() });

/**
 * A post or comment deleted by its author (author "[deleted]") or removed by moderators or
 * Reddit (text "[removed]", or `removed_by_category` set), as `/api/info` still lists it.
 */
const goneUpstream = (d: z.infer<typeof Thing>['data']) =>
  d.author === '[deleted]' || Boolean(d.removed_by_category) || ['[deleted]', '[removed]'].includes((d.body ?? d.selftext ?? '').trim());

export function thingToMention(thing: z.infer<typeof Thing>): Mention {
  const d = thing.data;
  const isComment = thing.kind === 't1';
  const text = isComment ? (d.body ?? '') : d.selftext || d.title || '';
  return {
    id: d.name,
    source: 'reddit',
    text,
    ...(!isComment && d.title ? { title: d.title } : {}),
    created_at: new Date(d.created_utc * 1000).toISOString(),
    author: { id: d.author_fullname ?? d.author, handle: d.author },
    url: `https://www.reddit.com${d.permalink}`,
    engagement: { likes: Math.max(0, d.score), shares: 0, replies: d.num_comments ?? 0, views: 0 },
    ...(isComment && d.parent_id ? { in_reply_to: d.parent_id } : {}),
    metadata: { subreddit: d.subreddit, kind: isComment ? 'comment' : 'post', ...(d.link_id ? { thread: d.link_id } : { thread: d.name }) },
  };
}

/**
 * App-only OAuth (client credentials) with the app's User-Agent on every call, the token
 * call included; the token is reused until a minute before it expires, and dropped and
 * fetched again once when Reddit refuses it (401) before that.
 */
function redditClient(authBase: string, clientId: string, secret: string, userAgent: string) {
  const token = new TokenCache();
  const header = async (http: HttpClient, now: number): Promise<Record<string, string>> => {
    const value = await token.get(now, () =>
      http.json(`${authBase}/api/v1/access_token`, Token, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          'user-agent': userAgent,
        },
        body: 'grant_type=client_credentials',
      }),
    );
    return { authorization: `Bearer ${value}`, 'user-agent': userAgent };
  };
  return {
    listing: async (http: HttpClient, now: number, url: string) =>
      withTokenRenewal(
        async () => http.json(url, Listing, { headers: await header(http, now) }),
        () => token.drop(),
      ),
  };
}

/** A subreddit that is private, banned or gone answers 403 or 404; that feed is skipped, the others go on. */
const feedUnavailable = (err: unknown) => err instanceof HttpError && (err.status === 403 || err.status === 404);

export const reddit = defineSource({
  type: 'reddit',
  source: 'reddit',
  summary:
    'Reddit site-wide search and subreddit listings (new posts, new comments) through the OAuth API; scores refreshed from `/api/info`, and what was deleted on Reddit erased.',
  options: z
    .object({
      type: z.literal('reddit'),
      query: z.string().min(1).optional(),
      subreddits: z.array(z.string().regex(/^\w{2,21}$/, 'a subreddit name without r/')).default([]),
      comments: z.boolean().default(true),
      client_id_env: z.string().default('EARSHOT_REDDIT_CLIENT_ID'),
      client_secret_env: z.string().default('EARSHOT_REDDIT_CLIENT_SECRET'),
      /** Reddit's required format; generic agents are throttled or refused (https://github.com/reddit-archive/reddit/wiki/API). */
      user_agent: z
        .string()
        .regex(
          /^[^:\s]+:[^:\s]+:[^:\s]+ \(by \/u\/[\w-]{3,20}\)$/,
          'Reddit requires "<platform>:<app id>:<version> (by /u/<reddit username>)", e.g. "server:com.example.earshot:1.0 (by /u/example)"',
        ),
      auth_url: z.url().default('https://www.reddit.com'),
      /**
       * Reddit's Data API terms ask that content deleted on Reddit, and deleted accounts'
       * ids, be deleted here too, whenever that happens: every stored Reddit mention is
       * looked up again (`/api/info`, 100 a call), `ids_per_run` a run, round and round.
       * `retention_days` erases what is older without asking. `false`: no sweep.
       */
      recheck: z
        .union([
          z.literal(false),
          z.object({
            schedule: cronExpression.default('*/10 * * * *'),
            ids_per_run: z.number().int().min(100).max(10_000).default(1000),
            retention_days: z.number().int().positive().optional(),
          }),
        ])
        .default({ schedule: '*/10 * * * *', ids_per_run: 1000 }),
    })
    .refine((o) => o.query || o.subreddits.length > 0, 'needs a query, subreddits, or both'),
  secrets: (o) => [o.client_id_env, o.client_secret_env],
  owned: false,
  defaultSchedule: '*/5 * * * *',
  sweep: (o) => (o.recheck ? { schedule: o.recheck.schedule, idsPerRun: o.recheck.ids_per_run, retentionDays: o.recheck.retention_days ?? null } : null),
  create(o, { env }) {
    const base = o.base_url ?? 'https://oauth.reddit.com';
    const client = redditClient(o.auth_url, requireEnv(env, o.client_id_env), requireEnv(env, o.client_secret_env), o.user_agent);
    // Each feed (the search, each subreddit's posts and comments) keeps its own cursor.
    const feeds: { key: string; path: string; params: Record<string, string> }[] = [
      ...(o.query ? [{ key: 'search', path: '/search', params: { q: o.query, sort: 'new', type: 'link' } }] : []),
      ...o.subreddits.flatMap((s) => [
        { key: `r/${s}/new`, path: `/r/${s}/new`, params: {} },
        ...(o.comments ? [{ key: `r/${s}/comments`, path: `/r/${s}/comments`, params: {} }] : []),
      ]),
    ];
    return {
      kind: 'poll',
      source: 'reddit',
      async poll(cursor, { http, clock }) {
        const out: Harvest = { mentions: [], unusable: [], cursor: { ...cursor }, notices: [] };
        const failed: string[] = [];
        for (const feed of feeds) {
          const feedCursor = (cursor.feeds as Record<string, Cursor> | undefined)?.[feed.key] ?? {};
          const h = await harvestNewestFirst({
            cursor: feedCursor,
            now: clock.now(),
            lookbackHours: o.lookback_hours,
            overlapMinutes: o.overlap_minutes,
            maxPages: o.max_pages,
            async fetchPage(after) {
              const params = new URLSearchParams({ ...feed.params, limit: '100', raw_json: '1', ...(after ? { after } : {}) });
              const listing = await client.listing(http, clock.now(), `${base}${feed.path}?${params}`);
              return { items: listing.data.children, next: listing.data.after ?? null };
            },
            timeOf: (raw) => {
              const t = (raw as { data?: { created_utc?: unknown } })?.data?.created_utc;
              return typeof t === 'number' ? t * 1000 : null;
            },
            normalise: (raw) => {
              const thing = itemOrUnusable(Thing, raw, 'Reddit thing');
              if (isUnusable(thing)) return thing;
              return goneUpstream(thing.data) ? [] : [thingToMention(thing)];
            },
          }).catch((err: unknown) => {
            if (!feedUnavailable(err)) throw err;
            failed.push(feed.key);
            out.notices!.push(`${feed.key} is not readable (private, banned or gone): ${(err as Error).message}; the other feeds go on`);
            return null;
          });
          if (!h) continue;
          out.mentions.push(...h.mentions);
          out.unusable.push(...h.unusable);
          out.cursor = { ...out.cursor, feeds: { ...(out.cursor.feeds ?? {}), [feed.key]: h.cursor } };
        }
        if (failed.length === feeds.length) throw new Error(`no Reddit feed is readable: ${out.notices!.join('; ')}`);
        return out;
      },
      async refresh(recent, { http, clock }) {
        const out: EngagementUpdate[] = [];
        for (const group of chunks(recent, 100)) {
          const listing = await client.listing(
            http,
            clock.now(),
            `${base}/api/info?${new URLSearchParams({ id: group.map((m) => m.id).join(','), raw_json: '1' })}`,
          );
          for (const raw of listing.data.children) {
            const thing = Thing.safeParse(raw);
            if (!thing.success) continue;
            const m = thingToMention(thing.data);
            const observed_at = new Date(clock.now()).toISOString();
            // Reddit's Data API terms ask that content deleted or removed on Reddit be deleted here too.
            if (goneUpstream(thing.data.data)) out.push({ source: 'reddit', id: m.id, engagement: {}, deleted: true, observed_at });
            else out.push({ source: 'reddit', id: m.id, engagement: m.engagement!, observed_at });
          }
        }
        return out;
      },
    };
  },
});
