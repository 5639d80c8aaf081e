import { z } from 'zod';
import WebSocket from 'ws';
import type { EngagementUpdate, Mention } from '@earshot/shared';
import { defineSource, requireEnv } from '../define.js';
import { AtprotoSession } from './atproto-session.js';
import { RateLimitedError, retryAtFrom } from '../http.js';
import { isUnusable, itemOrUnusable, newestFirstPoll, timeField } from '../paging.js';
import { chunks } from '../text.js';

/** A WebSocket message as text, whichever of ws's binary shapes it arrived in. */
const rawText = (d: Buffer | ArrayBuffer | Buffer[]): string =>
  (Array.isArray(d) ? Buffer.concat(d) : Buffer.isBuffer(d) ? d : Buffer.from(d)).toString('utf8');
import type { Unusable } from '../types.js';

// https://docs.bsky.app/docs/api/app-bsky-feed-search-posts : { cursor?, posts: PostView[] }
const PostRecord = z.object({
  text: z.string(),
  createdAt: z.string(),
  langs: z.array(z.string()).optional(),
  reply: z.object({ parent: z.object({ uri: z.string() }), root: z.object({ uri: z.string() }) }).optional(),
});
const PostView = z.object({
  uri: z.string().startsWith('at://'),
  author: z.object({ did: z.string(), handle: z.string(), displayName: z.string().optional() }),
  record: PostRecord,
  replyCount: z.number().default(0),
  repostCount: z.number().default(0),
  likeCount: z.number().default(0),
  quoteCount: z.number().default(0),
  indexedAt: z.string().optional(),
});
const SearchPage = z.object({ cursor: z.string().optional(), posts: z.array(z.unknown()) });

const rkeyOf = (uri: string) => uri.split('/').pop() ?? '';

function postMention(p: {
  uri: string;
  did: string;
  handle: string;
  name?: string;
  record: z.infer<typeof PostRecord>;
  engagement?: Mention['engagement'];
}): Mention {
  return {
    id: p.uri,
    source: 'bluesky',
    text: p.record.text,
    created_at: p.record.createdAt,
    author: { id: p.did, handle: p.handle, ...(p.name ? { name: p.name } : {}) },
    url: `https://bsky.app/profile/${p.handle}/post/${rkeyOf(p.uri)}`,
    ...(p.record.langs?.[0] ? { lang: p.record.langs[0] } : {}),
    ...(p.engagement ? { engagement: p.engagement } : {}),
    ...(p.record.reply ? { in_reply_to: p.record.reply.parent.uri, metadata: { thread: p.record.reply.root.uri } } : {}),
  };
}

export function postViewToMention(raw: unknown): Mention | Unusable {
  const p = itemOrUnusable(PostView, raw, 'Bluesky post');
  if (isUnusable(p)) return p;
  return postMention({
    uri: p.uri,
    did: p.author.did,
    handle: p.author.handle,
    name: p.author.displayName,
    record: p.record,
    engagement: { likes: p.likeCount, shares: p.repostCount + p.quoteCount, replies: p.replyCount, views: 0 },
  });
}

const indexedAt = timeField('indexedAt');
const recordCreatedAt = timeField('record', 'createdAt');

/**
 * Where search places a post: its `sortAt`, the earlier of `createdAt` and `indexedAt`
 * (https://docs.bsky.app/docs/advanced-guides/timestamps), which `searchPosts` orders
 * `sort=latest` by and filters `since` on. A post back-dated by its client sorts at the
 * date it claims: further back than `overlap_minutes`, search does not show it to a poll.
 */
function sortAt(raw: unknown): number | null {
  const indexed = indexedAt(raw);
  const created = recordCreatedAt(raw);
  return indexed === null ? created : created === null ? indexed : Math.min(indexed, created);
}

export const bluesky = defineSource({
  type: 'bluesky',
  source: 'bluesky',
  summary: "Bluesky post search (`app.bsky.feed.searchPosts`, latest first) through the account's PDS; counts refreshed with `app.bsky.feed.getPosts`.",
  options: z.object({
    type: z.literal('bluesky'),
    query: z.string().min(1),
    identifier_env: z.string().default('EARSHOT_BLUESKY_IDENTIFIER'),
    password_env: z.string().default('EARSHOT_BLUESKY_APP_PASSWORD'),
    /** Where sessions are created (the entryway); the session names the account's own PDS. */
    auth_url: z.url().default('https://bsky.social'),
    /** The AppView the PDS forwards `app.bsky.*` queries to. */
    appview: z.string().default('did:web:api.bsky.app#bsky_appview'),
  }),
  // Bluesky turned off anonymous post search in January 2025 (bluesky-social/atproto#3423).
  secrets: (o) => [o.identifier_env, o.password_env],
  owned: false,
  defaultSchedule: '*/5 * * * *',
  create(o, { env }) {
    const session = new AtprotoSession({
      entryway: o.base_url ?? o.auth_url,
      identifier: requireEnv(env, o.identifier_env),
      password: requireEnv(env, o.password_env),
      appview: o.appview,
    });
    return {
      ...newestFirstPoll(o, 'bluesky', {
        async fetchPage(next, since, { http, clock }) {
          const params = new URLSearchParams({
            q: o.query,
            sort: 'latest',
            limit: '100',
            since: new Date(since).toISOString(),
            ...(next ? { cursor: next } : {}),
          });
          const page = await session.query(http, clock.now(), 'app.bsky.feed.searchPosts', params, SearchPage);
          return { items: page.posts, next: page.cursor ?? null };
        },
        timeOf: sortAt,
        normalise: (raw) => {
          const m = postViewToMention(raw);
          return isUnusable(m) ? m : [m];
        },
      }),
      async refresh(recent, { http, clock }) {
        const out: EngagementUpdate[] = [];
        for (const group of chunks(recent, 25)) {
          const params = new URLSearchParams(group.map((m) => ['uris', m.id] as [string, string]));
          const body = await session.query(http, clock.now(), 'app.bsky.feed.getPosts', params, z.object({ posts: z.array(z.unknown()) }));
          for (const raw of body.posts) {
            const m = postViewToMention(raw);
            if (!isUnusable(m) && m.engagement)
              out.push({ source: 'bluesky', id: m.id, engagement: m.engagement, observed_at: new Date(clock.now()).toISOString() });
          }
        }
        return out;
      },
    };
  },
});

// https://github.com/bluesky-social/jetstream : { did, time_us, kind: "commit", commit: { operation, collection, rkey, record } }
const JetstreamEvent = z.object({
  did: z.string(),
  time_us: z.number(),
  kind: z.string(),
  commit: z.object({ operation: z.string(), collection: z.string(), rkey: z.string(), record: z.unknown().optional() }).optional(),
});

export const jetstream = defineSource({
  type: 'jetstream',
  source: 'bluesky',
  summary: 'The Bluesky firehose through Jetstream (WebSocket), filtered by the brand queries in-process and resumed from its `time_us` cursor.',
  options: z.object({
    type: z.literal('jetstream'),
    /** Seconds replayed before the cursor on reconnect, as Jetstream recommends, so no event falls in the gap. */
    rewind_seconds: z.number().min(0).max(3600).default(5),
    idle_seconds: z.number().positive().default(60),
    /** Events buffered before they are handed on; a partial batch goes after a second. */
    batch: z.number().int().min(1).max(10_000).default(200),
  }),
  secrets: () => [],
  owned: false,
  defaultSchedule: '*/5 * * * *',
  // The firehose carries every brand's posts: one connection, filtered by all brand queries.
  networkWide: (o) => o.base_url ?? '',
  create(o) {
    const base = o.base_url ?? 'wss://jetstream2.us-east.bsky.network';
    return {
      kind: 'stream',
      source: 'bluesky',
      async run(cursor, { emit, onConnected, signal, clock, matches }) {
        const from = typeof cursor.time_us === 'number' ? cursor.time_us - o.rewind_seconds * 1_000_000 : undefined;
        const url = `${base.replace(/^http/, 'ws')}/subscribe?wantedCollections=app.bsky.feed.post${from !== undefined ? `&cursor=${from}` : ''}`;
        const ws = new WebSocket(url, { headers: { 'user-agent': 'earshot/0.1' } });
        let pending: Mention[] = [];
        let unusable: Unusable[] = [];
        let timeUs = typeof cursor.time_us === 'number' ? cursor.time_us : 0;
        let flushing = Promise.resolve();
        const flush = () => {
          const batch = { mentions: pending, unusable, cursor: { ...cursor, time_us: timeUs } };
          pending = [];
          unusable = [];
          flushing = flushing.then(() => emit(batch));
          return flushing;
        };
        await new Promise<void>((resolve, reject) => {
          let idle: NodeJS.Timeout;
          const touch = () => {
            clearTimeout(idle);
            idle = setTimeout(() => ws.terminate(), o.idle_seconds * 1000);
          };
          const ticker = setInterval(() => void flush().catch(fail), 1000);
          let finished = false;
          const done = (err?: Error) => {
            if (finished) return;
            finished = true;
            clearTimeout(idle);
            clearInterval(ticker);
            signal.removeEventListener('abort', onAbort);
            flush().then(() => (err ? reject(err) : resolve()), reject);
          };
          const fail = (err: Error) => {
            ws.terminate();
            done(err);
          };
          const onAbort = () => ws.close();
          signal.addEventListener('abort', onAbort, { once: true });
          ws.on('unexpected-response', (_req, res) => {
            const now = clock.now();
            const err =
              res.statusCode === 429
                ? new RateLimitedError(retryAtFrom(new Headers(res.headers as Record<string, string>), now) ?? now + 60_000, 'Jetstream answered 429')
                : new Error(`Jetstream answered ${res.statusCode}`);
            ws.terminate();
            done(err);
          });
          ws.on('open', () => {
            onConnected();
            touch();
          });
          ws.on('message', (data) => {
            touch();
            let ev: z.infer<typeof JetstreamEvent>;
            try {
              const parsed = JetstreamEvent.safeParse(JSON.parse(rawText(data)));
              if (!parsed.success) throw new Error(parsed.error.issues[0]?.message);
              ev = parsed.data;
            } catch (err) {
              unusable.push({ reason: `Jetstream event is not in the documented shape: ${(err as Error).message}`, payload: rawText(data) });
              return;
            }
            timeUs = Math.max(timeUs, ev.time_us);
            const c = ev.commit;
            if (ev.kind !== 'commit' || !c || c.operation !== 'create' || c.collection !== 'app.bsky.feed.post') return;
            const record = PostRecord.safeParse(c.record);
            if (!record.success) {
              unusable.push({ reason: `Jetstream post record: ${record.error.issues[0]?.path.join('.')}: ${record.error.issues[0]?.message}`, payload: ev });
              return;
            }
            const m = postMention({ uri: `at://${ev.did}/app.bsky.feed.post/${c.rkey}`, did: ev.did, handle: ev.did, record: record.data });
            if (matches(m)) pending.push(m);
            if (pending.length >= o.batch) void flush().catch(fail);
          });
          ws.on('close', () => done(signal.aborted ? undefined : new Error('Jetstream closed the connection')));
          ws.on('error', (err) => done(err));
        });
      },
    };
  },
});
