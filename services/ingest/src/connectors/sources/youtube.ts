import { z } from 'zod';
import type { EngagementUpdate } from '@earshot/shared';
import { defineSource, requireEnv } from '../define.js';
import { isUnusable, itemOrUnusable, newestFirstPoll } from '../paging.js';
import { chunks } from '../text.js';

// https://developers.google.com/youtube/v3/docs/commentThreads/list
const CommentSnippet = z.object({
  textOriginal: z.string().optional(),
  textDisplay: z.string().optional(),
  authorDisplayName: z.string(),
  authorChannelId: z.object({ value: z.string() }).optional(),
  likeCount: z.number().default(0),
  publishedAt: z.string(),
  videoId: z.string().optional(),
});
const Thread = z.object({
  id: z.string(),
  snippet: z.object({ videoId: z.string().optional(), totalReplyCount: z.number().default(0), topLevelComment: z.object({ id: z.string(), snippet: CommentSnippet }) }),
});
const ThreadList = z.object({ items: z.array(z.unknown()), nextPageToken: z.string().optional() });
const CommentList = z.object({ items: z.array(z.object({ id: z.string(), snippet: z.object({ likeCount: z.number().default(0) }) })) });

export const youtube = defineSource({
  type: 'youtube',
  source: 'youtube',
  summary: 'YouTube Data API v3 comment threads on a video or on all of a channel\'s videos; like counts refreshed through `comments.list`.',
  options: z
    .object({
      type: z.literal('youtube'),
      video_id: z.string().min(1).optional(),
      channel_id: z.string().min(1).optional(),
      key_env: z.string().default('EARSHOT_YOUTUBE_API_KEY'),
    })
    .refine((o) => Boolean(o.video_id) !== Boolean(o.channel_id), 'needs exactly one of video_id or channel_id'),
  secrets: (o) => [o.key_env],
  owned: true,
  defaultSchedule: '*/15 * * * *',
  create(o, { env }) {
    const base = o.base_url ?? 'https://www.googleapis.com';
    const key = requireEnv(env, o.key_env);
    const target: Record<string, string> = o.video_id ? { videoId: o.video_id } : { allThreadsRelatedToChannelId: o.channel_id! };
    return {
      ...newestFirstPoll(o, 'youtube', {
        async fetchPage(pageToken, _since, { http }) {
          const params = new URLSearchParams({ part: 'snippet', order: 'time', maxResults: '100', textFormat: 'plainText', ...target, key, ...(pageToken ? { pageToken } : {}) });
          const page = await http.json(`${base}/youtube/v3/commentThreads?${params}`, ThreadList);
          return { items: page.items, next: page.nextPageToken ?? null };
        },
        timeOf: (raw) => {
          const t = Date.parse(String((raw as { snippet?: { topLevelComment?: { snippet?: { publishedAt?: unknown } } } })?.snippet?.topLevelComment?.snippet?.publishedAt));
          return Number.isFinite(t) ? t : null;
        },
        normalise: (raw) => {
          const t = itemOrUnusable(Thread, raw, 'YouTube comment thread');
          if (isUnusable(t)) return t;
          const c = t.snippet.topLevelComment;
          const videoId = c.snippet.videoId ?? t.snippet.videoId ?? o.video_id ?? '';
          return [
            {
              id: c.id,
              source: 'youtube',
              text: c.snippet.textOriginal ?? c.snippet.textDisplay ?? '',
              created_at: c.snippet.publishedAt,
              author: { id: c.snippet.authorChannelId?.value ?? c.snippet.authorDisplayName, handle: c.snippet.authorDisplayName },
              url: `https://www.youtube.com/watch?v=${encodeURIComponent(videoId)}&lc=${encodeURIComponent(c.id)}`,
              engagement: { likes: c.snippet.likeCount, shares: 0, replies: t.snippet.totalReplyCount, views: 0 },
              metadata: { video_id: videoId, thread: t.id },
            },
          ];
        },
      }),
      async refresh(recent, { http, clock }) {
        const out: EngagementUpdate[] = [];
        for (const group of chunks(recent, 50)) {
          const params = new URLSearchParams({ part: 'snippet', id: group.map((m) => m.id).join(','), key });
          const body = await http.json(`${base}/youtube/v3/comments?${params}`, CommentList);
          for (const c of body.items) out.push({ source: 'youtube', id: c.id, engagement: { likes: c.snippet.likeCount }, observed_at: new Date(clock.now()).toISOString() });
        }
        return out;
      },
    };
  },
});
