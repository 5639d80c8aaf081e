import { z } from 'zod';
import type { EngagementUpdate } from '@earshot/shared';
import { defineSource, requireEnv } from '../define.js';
import { HttpError, RateLimitedError, describeUrl, jsonAnswer, type HttpClient } from '../http.js';
import { harvestNewestFirst, isUnusable, itemOrUnusable, newestFirstPoll, timeField } from '../paging.js';
import { Comment, Followed, RepliesOption, commentMention, keepFollowing, readNewReplies } from './youtube-replies.js';
import { chunks, zonedToUtc } from '../text.js';

/**
 * The next midnight in Pacific time, when YouTube's daily quota resets
 * (https://developers.google.com/youtube/v3/getting-started#quota).
 */
export function nextPacificMidnight(now: number): number {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Los_Angeles', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
  const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  return zonedToUtc(`${next} 00:00:00`, 'America/Los_Angeles');
}

/** Both YouTube sources: an API key from the environment (the source's `key_env`). */
const KEY_ENV = z.string().default('EARSHOT_YOUTUBE_API_KEY');
const youtubeAccess = (o: { base_url?: string; key_env: string }, env: (name: string) => string | undefined) => ({
  base: o.base_url ?? 'https://www.googleapis.com',
  key: requireEnv(env, o.key_env),
});

/**
 * A YouTube Data API call. A spent daily quota is a 403 whose `errors[].reason` is
 * `quotaExceeded` (https://developers.google.com/youtube/v3/docs/errors): it waits for the
 * Pacific-time midnight reset instead of asking again every poll.
 */
async function youtubeJson<S extends z.ZodType>(http: HttpClient, url: string, schema: S, now: number): Promise<z.infer<S>> {
  const res = await http.request(url, { accept: [403], headers: { accept: 'application/json' } });
  if (res.status === 403) {
    const reason = /"reason":\s*"(\w+)"/.exec(res.text)?.[1] ?? 'forbidden';
    if (reason === 'quotaExceeded' || reason === 'dailyLimitExceeded') {
      const at = nextPacificMidnight(now);
      throw new RateLimitedError(at, `YouTube API quota for today is spent (${reason}); it resets at midnight Pacific time, ${new Date(at).toISOString()}`);
    }
    throw new HttpError(403, `${describeUrl(url)} answered 403 (${reason}): ${res.text.slice(0, 200)}`, res.text);
  }
  return jsonAnswer(url, res, schema);
}

/** One Data API read: `part=snippet` and the key on every call, the endpoint's own parameters (unset ones left out). */
function youtubeGet<S extends z.ZodType>(
  http: HttpClient,
  access: { base: string; key: string },
  endpoint: 'commentThreads' | 'comments' | 'search',
  params: Record<string, string | undefined>,
  schema: S,
  now: number,
): Promise<z.infer<S>> {
  const q = new URLSearchParams({ part: 'snippet' });
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  q.set('key', access.key);
  return youtubeJson(http, `${access.base}/youtube/v3/${endpoint}?${q}`, schema, now);
}

// https://developers.google.com/youtube/v3/docs/commentThreads/list: part=snippet,replies gives
// each thread with its top-level comment and some of its replies (youtube-replies.ts reads the rest).
const Thread = z.object({
  id: z.string(),
  snippet: z.object({
    videoId: z.string().optional(),
    totalReplyCount: z.number().default(0),
    topLevelComment: Comment,
  }),
  replies: z.object({ comments: z.array(z.unknown()) }).optional(),
});
const ThreadList = z.object({ items: z.array(z.unknown()), nextPageToken: z.string().optional() });
const CommentList = z.object({ items: z.array(z.object({ id: z.string(), snippet: z.object({ likeCount: z.number().default(0) }) })) });
const ReplyState = z.object({
  followed: z.record(z.string(), Followed).catch({}),
  /** Quota units spent on the Pacific-time day `day` (YouTube's quota day), and how many of them on replies. */
  quota: z
    .object({ day: z.string(), units: z.number(), reply_units: z.number().default(0) })
    .optional()
    .catch(undefined),
});
const pacificDay = (t: number) => new Date(nextPacificMidnight(t) - 86_400_000).toISOString().slice(0, 10);

export const youtube = defineSource({
  type: 'youtube',
  source: 'youtube',
  summary:
    "YouTube Data API v3 comment threads on a video or on all of a channel's videos, with their replies (`comments.list?parentId=` when a thread's reply count rises); like counts refreshed through `comments.list`.",
  options: z
    .object({
      type: z.literal('youtube'),
      video_id: z.string().min(1).optional(),
      channel_id: z.string().min(1).optional(),
      key_env: KEY_ENV,
      /** `{days, units_per_day}`: how long a thread's replies are followed, and the quota units a day they may take; `false`: top-level comments only. */
      replies: RepliesOption,
    })
    .refine((o) => Boolean(o.video_id) !== Boolean(o.channel_id), 'needs exactly one of video_id or channel_id'),
  secrets: (o) => [o.key_env],
  owned: true,
  defaultSchedule: '*/15 * * * *',
  create(o, { env }) {
    const access = youtubeAccess(o, env);
    const target: Record<string, string> = o.video_id ? { videoId: o.video_id } : { allThreadsRelatedToChannelId: o.channel_id! };
    return {
      kind: 'poll',
      source: 'youtube',
      async poll(cursor, { http, clock }) {
        const now = clock.now();
        const { followed: followedBefore, quota, ...paging } = cursor;
        const state = ReplyState.parse({ followed: followedBefore, quota });
        const day = pacificDay(now);
        const today = state.quota?.day === day ? state.quota : { day, units: 0, reply_units: 0 };
        const get: Parameters<typeof readNewReplies>[0]['get'] = (endpoint, params, schema) => youtubeGet(http, access, endpoint, params, schema, now);
        let listingCalls = 0;
        const followed = { ...state.followed };
        const behind = new Map<string, number>();
        const listed = new Set<string>();
        const harvest = await harvestNewestFirst({
          cursor: paging,
          now,
          lookbackHours: o.lookback_hours,
          overlapMinutes: o.overlap_minutes,
          maxPages: o.max_pages,
          async fetchPage(pageToken) {
            listingCalls++;
            const part = o.replies ? 'snippet,replies' : 'snippet';
            const page = await get('commentThreads', { part, order: 'time', maxResults: '100', textFormat: 'plainText', ...target, pageToken }, ThreadList);
            return { items: page.items, next: page.nextPageToken ?? null };
          },
          timeOf: timeField('snippet', 'topLevelComment', 'snippet', 'publishedAt'),
          normalise: (raw) => {
            const t = itemOrUnusable(Thread, raw, 'YouTube comment thread');
            if (isUnusable(t)) return t;
            const c = t.snippet.topLevelComment;
            const videoId = c.snippet.videoId ?? t.snippet.videoId ?? o.video_id ?? '';
            const included = (t.replies?.comments ?? []).flatMap((r) => {
              const parsed = Comment.safeParse(r);
              return parsed.success ? [commentMention(parsed.data, videoId, t.id, { parent: c.id })] : [];
            });
            if (o.replies) {
              listed.add(t.id);
              const read = Math.max(followed[t.id]?.read ?? 0, included.length);
              followed[t.id] = { top: c.id, read, at: Date.parse(c.snippet.publishedAt) || now, video: videoId };
              if (t.snippet.totalReplyCount > read) behind.set(t.id, t.snippet.totalReplyCount);
            }
            return [commentMention(c, videoId, t.id, { replies: t.snippet.totalReplyCount }), ...included];
          },
        });
        const replies = o.replies
          ? await readNewReplies({
              get,
              followed: keepFollowing(followed, now, o.replies.days),
              behind,
              listed,
              budget: Math.max(0, o.replies.units_per_day - today.reply_units),
              maxPages: o.max_pages,
            })
          : null;
        const notices = [...(harvest.notices ?? [])];
        if (replies?.unfinished)
          notices.push(
            `replies of ${replies.unfinished} comment thread(s) are read next poll: this poll reached max_pages, or today's replies.units_per_day (${o.replies ? o.replies.units_per_day : 0} quota units) is spent`,
          );
        const replyCalls = replies?.calls ?? 0;
        return {
          mentions: [...harvest.mentions, ...(replies?.mentions ?? [])],
          unusable: [...harvest.unusable, ...(replies?.unusable ?? [])],
          ...(notices.length ? { notices } : {}),
          cursor: {
            ...harvest.cursor,
            ...(replies ? { followed: replies.followed } : {}),
            // Every call here costs 1 unit: counted per Pacific-time day, replies apart, against their budget.
            quota: { day, units: today.units + listingCalls + replyCalls, reply_units: today.reply_units + replyCalls },
          },
        };
      },
      async refresh(recent, { http, clock }) {
        const out: EngagementUpdate[] = [];
        for (const group of chunks(recent, 50)) {
          const body = await youtubeGet(http, access, 'comments', { id: group.map((m) => m.id).join(',') }, CommentList, clock.now());
          for (const c of body.items)
            out.push({ source: 'youtube', id: c.id, engagement: { likes: c.snippet.likeCount }, observed_at: new Date(clock.now()).toISOString() });
        }
        return out;
      },
    };
  },
});

// https://developers.google.com/youtube/v3/docs/search/list : videos matching a query, newest
// first (order=date) after `publishedAfter`; at most 50 a page; each call costs 100 quota
// units of the default 10,000 a day, so the default schedule is hourly.
const SearchResult = z.object({
  id: z.object({ kind: z.literal('youtube#video'), videoId: z.string() }),
  snippet: z.object({
    publishedAt: z.string(),
    channelId: z.string(),
    title: z.string(),
    description: z.string().default(''),
    channelTitle: z.string(),
    liveBroadcastContent: z.string().optional(),
  }),
});
const SearchList = z.object({ items: z.array(z.unknown()), nextPageToken: z.string().optional() });
const entities = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);

export const youtubeSearch = defineSource({
  type: 'youtube_search',
  source: 'youtube',
  summary: 'YouTube videos matching a keyword search across the whole site (Data API v3 `search.list`, newest first): title and description.',
  options: z.object({
    type: z.literal('youtube_search'),
    query: z.string().min(1),
    /** ISO 3166-1 alpha-2 region and ISO 639-1 relevance language, both optional. */
    region_code: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
    relevance_language: z
      .string()
      .regex(/^[a-z]{2}$/)
      .optional(),
    key_env: KEY_ENV,
  }),
  secrets: (o) => [o.key_env],
  owned: false,
  defaultSchedule: '0 * * * *',
  create(o, { env }) {
    const access = youtubeAccess(o, env);
    return newestFirstPoll(o, 'youtube', {
      async fetchPage(pageToken, since, { http, clock }) {
        const params = {
          type: 'video',
          order: 'date',
          maxResults: '50',
          q: o.query,
          publishedAfter: new Date(since).toISOString(),
          regionCode: o.region_code,
          relevanceLanguage: o.relevance_language,
          pageToken: pageToken ?? undefined,
        };
        const page = await youtubeGet(http, access, 'search', params, SearchList, clock.now());
        return { items: page.items, next: page.nextPageToken ?? null };
      },
      timeOf: timeField('snippet', 'publishedAt'),
      normalise: (raw) => {
        const v = itemOrUnusable(SearchResult, raw, 'YouTube search result');
        if (isUnusable(v)) return v;
        // search.list escapes HTML entities in titles and descriptions.
        const title = entities(v.snippet.title);
        const description = entities(v.snippet.description);
        return [
          {
            id: v.id.videoId,
            source: 'youtube',
            text: description ? `${title}\n\n${description}` : title,
            title,
            created_at: v.snippet.publishedAt,
            author: { id: v.snippet.channelId, handle: v.snippet.channelTitle },
            url: `https://www.youtube.com/watch?v=${encodeURIComponent(v.id.videoId)}`,
            metadata: {
              kind: 'video',
              channel_id: v.snippet.channelId,
              ...(v.snippet.liveBroadcastContent && v.snippet.liveBroadcastContent !== 'none' ? { live: v.snippet.liveBroadcastContent } : {}),
            },
          },
        ];
      },
    });
  },
});
