import { z } from 'zod';
import type { Mention } from '@earshot/shared';
import { isUnusable, itemOrUnusable } from '../paging.js';
import { chunks } from '../text.js';
import type { Unusable } from '../types.js';

// https://developers.google.com/youtube/v3/docs/commentThreads : a thread holds its top-level
// comment, `totalReplyCount` and "a limited number of replies"; unless their number equals
// totalReplyCount, comments.list?parentId= (https://developers.google.com/youtube/v3/docs/comments/list,
// up to 100 a page) gives them all, and commentThreads.list?id= (up to 50 ids) reads a
// thread's count again. Each of those calls costs 1 quota unit of the 10,000 a day.
export const CommentSnippet = z.object({
  textOriginal: z.string().optional(),
  textDisplay: z.string().optional(),
  authorDisplayName: z.string(),
  authorChannelId: z.object({ value: z.string() }).optional(),
  likeCount: z.number().default(0),
  publishedAt: z.string(),
  videoId: z.string().optional(),
  parentId: z.string().optional(),
});
export const Comment = z.object({ id: z.string(), snippet: CommentSnippet });
const ThreadCounts = z.object({ items: z.array(z.object({ id: z.string(), snippet: z.object({ totalReplyCount: z.number().default(0) }) })) });
const ReplyList = z.object({ items: z.array(z.unknown()), nextPageToken: z.string().optional() });

/** How the brands file turns replies on: followed for `days` after a thread begins, with at most `units_per_day` quota units a day spent on them. */
export const RepliesOption = z
  .union([
    z.literal(false),
    z.object({
      days: z.number().positive().max(90).default(7),
      units_per_day: z.number().int().positive().max(10_000).default(2000),
    }),
  ])
  .default({ days: 7, units_per_day: 2000 });

/** A thread whose replies are followed: its top-level comment, the replies read so far, when it began, its video. */
export const Followed = z.object({ top: z.string(), read: z.number(), at: z.number(), video: z.string() });
export type Followed = z.infer<typeof Followed>;
/** Threads followed at most: the newest, so the count re-checks stay at 10 calls a poll. */
export const FOLLOWED_MAX = 500;

/** One YouTube comment (a top-level comment or a reply) as a mention. */
export function commentMention(c: z.infer<typeof Comment>, videoId: string, thread: string, o: { replies?: number; parent?: string } = {}): Mention {
  const parent = c.snippet.parentId ?? o.parent;
  return {
    id: c.id,
    source: 'youtube',
    text: c.snippet.textOriginal ?? c.snippet.textDisplay ?? '',
    created_at: c.snippet.publishedAt,
    author: { id: c.snippet.authorChannelId?.value ?? c.snippet.authorDisplayName, handle: c.snippet.authorDisplayName },
    url: `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}&lc=${encodeURIComponent(c.id)}`,
    engagement: { likes: c.snippet.likeCount, shares: 0, replies: o.replies ?? 0, views: 0 },
    ...(parent ? { in_reply_to: parent } : {}),
    metadata: { video_id: videoId, thread },
  };
}

type Get = <S extends z.ZodType>(endpoint: 'commentThreads' | 'comments', params: Record<string, string | undefined>, schema: S) => Promise<z.infer<S>>;

/**
 * Reads the replies the followed threads gained: threads whose count is already known to be
 * ahead (`behind`, from this poll's listing) and, among the others not listed this poll, those
 * whose count rose since (asked again, 50 a call). Stops at `budget` calls; a thread not read
 * to its end is read again next poll.
 */
export async function readNewReplies(a: {
  get: Get;
  followed: Record<string, Followed>;
  behind: Map<string, number>;
  listed: Set<string>;
  budget: number;
  maxPages: number;
}): Promise<{ mentions: Mention[]; unusable: Unusable[]; followed: Record<string, Followed>; calls: number; unfinished: number }> {
  const followed = { ...a.followed };
  const behind = new Map(a.behind);
  let calls = 0;
  const recheck = Object.keys(followed).filter((id) => !a.listed.has(id) && !behind.has(id));
  for (const group of chunks(recheck, 50)) {
    if (calls >= a.budget) break;
    calls++;
    const body = await a.get('commentThreads', { id: group.join(','), maxResults: '50' }, ThreadCounts);
    for (const t of body.items) if (t.snippet.totalReplyCount > (followed[t.id]?.read ?? Infinity)) behind.set(t.id, t.snippet.totalReplyCount);
  }
  const mentions: Mention[] = [];
  const unusable: Unusable[] = [];
  let unfinished = 0;
  for (const [thread, total] of behind) {
    const f = followed[thread];
    if (!f) continue;
    let pageToken: string | undefined;
    let done = false;
    for (let page = 0; page < a.maxPages && calls < a.budget; page++) {
      calls++;
      const body = await a.get('comments', { parentId: f.top, maxResults: '100', textFormat: 'plainText', pageToken }, ReplyList);
      for (const raw of body.items) {
        const r = itemOrUnusable(Comment, raw, 'YouTube reply');
        if (isUnusable(r)) unusable.push(r);
        else mentions.push(commentMention(r, f.video, thread, { parent: f.top }));
      }
      pageToken = body.nextPageToken;
      if (!pageToken) {
        done = true;
        break;
      }
    }
    if (done) followed[thread] = { ...f, read: total };
    else unfinished++;
  }
  return { mentions, unusable, followed, calls, unfinished };
}

/** The followed threads kept: begun within `days`, the newest FOLLOWED_MAX. */
export function keepFollowing(followed: Record<string, Followed>, now: number, days: number): Record<string, Followed> {
  const live = Object.entries(followed).filter(([, f]) => now - f.at <= days * 86_400_000);
  return Object.fromEntries(live.sort((x, y) => y[1].at - x[1].at).slice(0, FOLLOWED_MAX));
}
