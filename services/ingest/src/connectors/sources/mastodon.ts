import { z } from 'zod';
import type { EngagementUpdate, Mention } from '@earshot/shared';
import { defineSource } from '../define.js';
import type { HttpClient } from '../http.js';
import { harvestNewestFirst, isUnusable, itemOrUnusable, timeField } from '../paging.js';
import { openStream, responseLines, serverSentEvents } from '../stream-lines.js';
import { compareNumericIds, htmlToText, scalarText } from '../text.js';
import type { ConnectorContext, Cursor, Harvest, RecentMention, Unusable } from '../types.js';

// https://docs.joinmastodon.org/entities/Status/ and /methods/timelines/, /methods/streaming/
const Status = z.object({
  id: z.string().min(1),
  uri: z.string(),
  url: z.string().nullish(),
  created_at: z.string(),
  content: z.string(),
  spoiler_text: z.string().default(''),
  language: z.string().nullish(),
  in_reply_to_id: z.string().nullish(),
  replies_count: z.number().default(0),
  reblogs_count: z.number().default(0),
  favourites_count: z.number().default(0),
  account: z.object({
    id: z.string(),
    acct: z.string(),
    display_name: z.string().optional(),
    followers_count: z.number().optional(),
    url: z.string().optional(),
  }),
});

/** Status ids are local to an instance, so the mention id carries the host. */
export function statusToMention(raw: unknown, host: string): Mention | Unusable {
  const s = itemOrUnusable(Status, raw, 'Mastodon status');
  if (isUnusable(s)) return s;
  const text = htmlToText(s.content);
  return {
    id: `${host}/${s.id}`,
    source: 'mastodon',
    text: s.spoiler_text ? `${s.spoiler_text}\n${text}` : text,
    created_at: s.created_at,
    // Local accounts come as "user"; the handle is always "user@host", so brand accounts match either way.
    author: {
      id: `${host}/${s.account.id}`,
      handle: s.account.acct.includes('@') ? s.account.acct : `${s.account.acct}@${host}`,
      ...(s.account.display_name ? { name: s.account.display_name } : {}),
      ...(s.account.followers_count !== undefined ? { followers: s.account.followers_count } : {}),
    },
    url: s.url ?? s.uri,
    ...(s.language ? { lang: s.language } : {}),
    engagement: { likes: s.favourites_count, shares: s.reblogs_count, replies: s.replies_count, views: 0 },
    ...(s.in_reply_to_id ? { in_reply_to: `${host}/${s.in_reply_to_id}` } : {}),
    metadata: { uri: s.uri },
  };
}

const Options = z.object({
  /** The instance, e.g. https://mastodon.social. */
  instance: z.url(),
  hashtag: z
    .string()
    .regex(/^[\p{L}\p{N}_]+$/u, 'a hashtag without #')
    .optional(),
  timeline: z.enum(['public', 'local']).optional(),
  token_env: z.string().default('EARSHOT_MASTODON_TOKEN'),
});

function timelinePath(o: z.infer<typeof Options>): { path: string; params: Record<string, string> } {
  if (o.hashtag) return { path: `/api/v1/timelines/tag/${encodeURIComponent(o.hashtag)}`, params: {} };
  return { path: '/api/v1/timelines/public', params: o.timeline === 'local' ? { local: 'true' } : {} };
}

/** What reading one timeline needs: the client, the source's options, where and as whom, how far to look back. */
interface TimelineRead {
  http: HttpClient;
  o: z.infer<typeof Options>;
  base: string;
  headers: Record<string, string>;
  maxPages: number;
  overlapMinutes: number;
  now: number;
}

/** The statuses' ids, oldest first. */
const statusIds = (statuses: unknown[]): string[] =>
  statuses
    .map((s) => (s as { id?: unknown })?.id)
    .filter((id): id is string => typeof id === 'string')
    .sort(compareNumericIds);

const EARLIEST_SNOWFLAKE = Date.parse('2016-01-01T00:00:00Z');

/**
 * The id a status made at `ms` would have at most sequence 0: Mastodon ids are snowflakes,
 * milliseconds since the epoch shifted left 16 bits over a sequence (mastodon/mastodon
 * lib/mastodon/snowflake.rb, `id_at`), and `min_id` compares ids, so a made-up id works.
 */
export const mastodonIdAt = (ms: number): string => (BigInt(Math.max(0, Math.floor(ms))) << 16n).toString();

/**
 * Where to page forward from: `overlap` before the newest id seen. A status the instance
 * fetched rather than had delivered (a boosted original, a post pulled in to fill a reply
 * thread) gets an id from its original publish time, below ids already read; looking back
 * finds it, and the (source, id) key drops the repeats. Ids that are not snowflakes (an old
 * or non-Mastodon server) are left as they are.
 */
function lookBack(minId: string, overlapMs: number, now: number): string {
  if (!/^\d{1,20}$/.test(minId)) return minId;
  const at = Number(BigInt(minId) >> 16n);
  if (at < EARLIEST_SNOWFLAKE || at > now + 86_400_000) return minId;
  return mastodonIdAt(at - overlapMs);
}

/**
 * Pages forward from `min_id` (each page is the statuses just after it, newest first) until
 * a short page, starting `overlap_minutes` behind the newest id seen; with no cursor yet,
 * takes the newest page and starts from there. A pass the page limit cut short resumes
 * where it stopped (`resume`) instead of looking back again, so it always gains ground.
 */
async function timelineSince(t: TimelineRead, cursor: Cursor, from: number): Promise<Harvest> {
  const { http, o, base, headers, maxPages } = t;
  const host = new URL(o.instance).host;
  const { path, params } = timelinePath(o);
  if (typeof cursor.min_id !== 'string') return backfill(t, cursor, from);
  const { resume, ...rest } = cursor;
  const out: Harvest = { mentions: [], unusable: [], cursor: rest };
  let newest: string = cursor.min_id;
  let minId = typeof resume === 'string' ? resume : lookBack(newest, t.overlapMinutes * 60_000, t.now);
  let caughtUp = false;
  for (let page = 0; page < maxPages && !caughtUp; page++) {
    const q: URLSearchParams = new URLSearchParams({ ...params, limit: '40', min_id: minId });
    const statuses: unknown[] = await http.json(`${base}${path}?${q}`, z.array(z.unknown()), { headers });
    for (const raw of statuses) {
      const m = statusToMention(raw, host);
      if (isUnusable(m)) out.unusable.push(m);
      else out.mentions.push(m);
    }
    const top: string | undefined = statusIds(statuses).at(-1);
    if (top && compareNumericIds(top, minId) > 0) minId = top;
    if (compareNumericIds(minId, newest) > 0) newest = minId;
    caughtUp = statuses.length < 40;
  }
  out.cursor.min_id = newest;
  if (!caughtUp) out.cursor.resume = minId;
  return out;
}

/** The first poll: newest first, paged back with `max_id` through the look-back window; resumes forward from the newest id. */
async function backfill({ http, o, base, headers, maxPages }: TimelineRead, cursor: Cursor, from: number): Promise<Harvest> {
  const host = new URL(o.instance).host;
  const { path, params } = timelinePath(o);
  let top: string | undefined;
  const h = await harvestNewestFirst({
    cursor: { ...cursor, since: from },
    now: from,
    lookbackHours: 0,
    maxPages,
    async fetchPage(maxId) {
      const statuses = await http.json(
        `${base}${path}?${new URLSearchParams({ ...params, limit: '40', ...(maxId ? { max_id: maxId } : {}) })}`,
        z.array(z.unknown()),
        { headers },
      );
      const ids = statusIds(statuses);
      if (ids.length && (!top || compareNumericIds(ids.at(-1)!, top) > 0)) top = ids.at(-1);
      return { items: statuses, next: statuses.length === 40 ? ids[0] : null };
    },
    timeOf: timeField('created_at'),
    normalise: (raw) => {
      const m = statusToMention(raw, host);
      return isUnusable(m) ? m : [m];
    },
  });
  // The first poll's look-back is best effort: what the page limit left is not chased later.
  const { since: _since, backlog: _backlog, ...rest } = h.cursor;
  return { ...h, cursor: top ? { ...rest, min_id: top } : rest };
}

// https://docs.joinmastodon.org/entities/Instance/ : where streaming is served, and (4.5+) who may read which feeds.
const Access = z.enum(['public', 'authenticated', 'disabled']).catch('public');
const FeedAccess = z.object({ local: Access.default('public'), remote: Access.default('public') }).default({ local: 'public', remote: 'public' });
const InstanceInfo = z.object({
  configuration: z
    .object({
      urls: z.object({ streaming: z.string().optional() }).default({}),
      timelines_access: z.object({ live_feeds: FeedAccess, hashtag_feeds: FeedAccess }).partial().optional(),
    })
    .default({ urls: {} }),
});

/**
 * Reads the instance's configuration once: the streaming host (large instances serve it
 * elsewhere and redirect, and fetch drops the token on a cross-origin redirect), and
 * whether the feed we read is open to us. A feed turned off answers an empty list for
 * ever, so that is an error a user must see, not a quiet source.
 */
async function instanceInfo(http: HttpClient, o: z.infer<typeof Options>, base: string, headers: Record<string, string>) {
  const info = await http.json(`${base}/api/v2/instance`, InstanceInfo, { headers });
  const access = info.configuration.timelines_access?.[o.hashtag ? 'hashtag_feeds' : 'live_feeds'];
  const scopes: ('local' | 'remote')[] = o.timeline === 'local' ? ['local'] : ['local', 'remote'];
  const feed = o.hashtag ? `hashtag feed #${o.hashtag}` : `${o.timeline} timeline`;
  const host = new URL(o.instance).host;
  if (access && scopes.every((k) => access[k] === 'disabled'))
    throw new Error(`${host} has turned off its ${feed} (timelines_access): it will stay empty; choose another instance or feed`);
  if (access && !headers.authorization && scopes.some((k) => access[k] === 'authenticated'))
    throw new Error(`${host} shows its ${feed} only to signed-in users: set ${o.token_env}`);
  const partly = access ? scopes.filter((k) => access[k] === 'disabled') : [];
  return {
    streaming: (info.configuration.urls.streaming ?? base).replace(/^ws/, 'http').replace(/\/$/, ''),
    notices: partly.length ? [`${host} has turned off the ${partly.join(' and ')} part of its ${feed}: only the rest is read`] : [],
  };
}

function instanceOf(o: z.infer<typeof Options> & { base_url?: string }) {
  return o.base_url ?? o.instance.replace(/\/$/, '');
}

/** Engagement refresh for both Mastodon sources: the recent statuses read again from the instance. */
const refreshOn =
  (base: string, host: string, headers: Record<string, string>) =>
  (recent: RecentMention[], { http, clock }: ConnectorContext) =>
    refreshStatuses(
      http,
      base,
      host,
      headers,
      recent.map((r) => r.id),
      clock.now(),
    );

async function refreshStatuses(
  http: HttpClient,
  base: string,
  host: string,
  headers: Record<string, string>,
  ids: string[],
  now: number,
): Promise<EngagementUpdate[]> {
  const out: EngagementUpdate[] = [];
  for (const id of ids.slice(0, 40)) {
    const local = id.slice(id.indexOf('/') + 1);
    const m = statusToMention(await http.json(`${base}/api/v1/statuses/${encodeURIComponent(local)}`, z.unknown(), { headers }), host);
    if (!isUnusable(m) && m.engagement)
      out.push({
        source: 'mastodon',
        id: m.id,
        engagement: m.engagement,
        ...(m.author.followers !== undefined ? { followers: m.author.followers } : {}),
        observed_at: new Date(now).toISOString(),
      });
  }
  return out;
}

const auth = (env: (n: string) => string | undefined, name: string): Record<string, string> => {
  const token = env(name);
  return token ? { authorization: `Bearer ${token}` } : {};
};

function oneTimeline(o: { hashtag?: string; timeline?: string }, ctx: z.RefinementCtx) {
  if (Boolean(o.hashtag) === Boolean(o.timeline)) ctx.addIssue({ code: 'custom', message: 'needs exactly one of hashtag or timeline' });
}

/** Where one instance is reached, with what token, and the host that prefixes its ids. */
function instanceAccess(o: z.infer<typeof Options> & { base_url?: string }, env: (n: string) => string | undefined) {
  return { base: instanceOf(o), headers: auth(env, o.token_env), host: new URL(o.instance).host };
}

export const mastodon = defineSource({
  type: 'mastodon',
  source: 'mastodon',
  summary: 'Mastodon hashtag or public timeline of one instance, paged forward from `min_id` less `overlap_minutes`; counts refreshed per status.',
  options: z.object({ type: z.literal('mastodon'), ...Options.shape }).superRefine(oneTimeline),
  secrets: () => [],
  owned: false,
  defaultSchedule: '*/2 * * * *',
  create(o, { env }) {
    const { base, headers, host } = instanceAccess(o, env);
    let checked: Promise<{ notices: string[] }> | null = null;
    return {
      kind: 'poll',
      source: 'mastodon',
      async poll(cursor, { http, clock }) {
        // Once per process; a failed check is tried again on the next poll.
        checked ??= instanceInfo(http, o, base, headers).catch((err) => ((checked = null), Promise.reject(err)));
        const { notices } = await checked;
        const now = clock.now();
        const h = await timelineSince(
          { http, o, base, headers, maxPages: o.max_pages, overlapMinutes: o.overlap_minutes, now },
          cursor,
          now - o.lookback_hours * 3_600_000,
        );
        return { ...h, notices: [...notices, ...(h.notices ?? [])] };
      },
      refresh: refreshOn(base, host, headers),
    };
  },
});

export const mastodonStream = defineSource({
  type: 'mastodon_stream',
  source: 'mastodon',
  summary: 'Mastodon streaming API (server-sent events) for a hashtag or the public timeline; each (re)connect first catches up from the timeline.',
  options: z.object({ type: z.literal('mastodon_stream'), idle_seconds: z.number().positive().default(90), ...Options.shape }).superRefine(oneTimeline),
  // Mastodon 4.2+ streams only to a signed-in client.
  secrets: (o) => [o.token_env],
  owned: false,
  defaultSchedule: '*/2 * * * *',
  create(o, { env }) {
    const { base, headers, host } = instanceAccess(o, env);
    const stream = o.hashtag
      ? `/api/v1/streaming/hashtag?tag=${encodeURIComponent(o.hashtag)}`
      : `/api/v1/streaming/public${o.timeline === 'local' ? '/local' : ''}`;
    return {
      kind: 'stream',
      source: 'mastodon',
      async run(cursor, { http, clock, emit, onConnected, signal }) {
        const info = await instanceInfo(http, o, base, headers);
        const body = await openStream(`${info.streaming}${stream}`, headers, signal, () => clock.now());
        onConnected();
        // Statuses posted while disconnected come from the timeline, then the stream takes over.
        const now = clock.now();
        const gap = await timelineSince(
          { http, o, base, headers, maxPages: o.max_pages, overlapMinutes: o.overlap_minutes, now },
          cursor,
          now - o.lookback_hours * 3_600_000,
        );
        await emit({ ...gap, notices: info.notices });
        let since = gap.cursor;
        for await (const ev of serverSentEvents(responseLines(body, o.idle_seconds * 1000, signal))) {
          if (ev.event !== 'update') continue;
          let raw: unknown;
          try {
            raw = JSON.parse(ev.data);
          } catch {
            await emit({ mentions: [], unusable: [{ reason: 'Mastodon update event is not JSON', payload: ev.data }], cursor: since });
            continue;
          }
          const m = statusToMention(raw, host);
          if (isUnusable(m)) {
            await emit({ mentions: [], unusable: [m], cursor: since });
            continue;
          }
          const local = m.id.slice(host.length + 1);
          if (!since.min_id || compareNumericIds(local, scalarText(since.min_id)) > 0) since = { ...since, min_id: local };
          await emit({ mentions: [m], unusable: [], cursor: since });
        }
      },
      refresh: refreshOn(base, host, headers),
    };
  },
});
