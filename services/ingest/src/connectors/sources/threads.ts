import { z } from 'zod';
import { defineSource, requireEnv } from '../define.js';
import { isUnusable, itemOrUnusable, newestFirstPoll, timeField } from '../paging.js';
import { graphJson } from './meta-graph.js';

// https://developers.facebook.com/docs/threads/keyword-search : GET /keyword_search with q,
// search_type=RECENT, search_mode KEYWORD or TAG, since/until (Unix seconds) and limit (at
// most 100). Needs threads_basic and threads_keyword_search; until Meta approves the latter,
// search sees only the token owner's own posts. 2,200 queries per user per rolling 24 h.
const FIELDS = 'id,text,media_type,permalink,timestamp,username,has_replies,is_quote_post,is_reply';
const LIMIT = 100;
const ThreadsPost = z.object({
  id: z.string(),
  text: z.string().optional(),
  media_type: z.string().optional(),
  permalink: z.string().optional(),
  timestamp: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'timestamp is not a time'),
  username: z.string(),
  has_replies: z.boolean().optional(),
  is_quote_post: z.boolean().optional(),
  is_reply: z.boolean().optional(),
});
const SearchAnswer = z.object({ data: z.array(z.unknown()) });
const timestampOf = timeField('timestamp');

export const threads = defineSource({
  type: 'threads',
  source: 'threads',
  summary: 'Public Threads posts matching a keyword or topic tag (Threads API keyword search, most recent first).',
  options: z.object({
    type: z.literal('threads'),
    query: z.string().min(1),
    /** KEYWORD searches the text; TAG the topic tag. */
    search_mode: z.enum(['KEYWORD', 'TAG']).default('KEYWORD'),
    token_env: z.string().default('EARSHOT_THREADS_TOKEN'),
  }),
  secrets: (o) => [o.token_env],
  owned: false,
  defaultSchedule: '*/15 * * * *',
  create(o, { env }) {
    const base = o.base_url ?? 'https://graph.threads.net';
    const token = requireEnv(env, o.token_env);
    return newestFirstPoll(o, 'threads', {
      async fetchPage(until, since, { http, clock }) {
        const params = new URLSearchParams({
          q: o.query,
          search_type: 'RECENT',
          search_mode: o.search_mode,
          fields: FIELDS,
          since: String(Math.floor(since / 1000)),
          ...(until ? { until } : {}),
          limit: String(LIMIT),
          access_token: token,
        });
        const { data } = await graphJson(http, `${base}/v1.0/keyword_search?${params}`, SearchAnswer, clock.now(), {
          tokenEnv: o.token_env,
          permission: 'threads_basic and threads_keyword_search',
        });
        // Older posts come by moving `until` to the oldest second read, plus one so that
        // posts sharing that second are not skipped (they come again; repeats drop by id).
        const times = data.map(timestampOf).filter((t): t is number => t !== null);
        const next = data.length >= LIMIT && times.length ? String(Math.floor(Math.min(...times) / 1000) + 1) : null;
        return { items: data, next: next === until ? null : next };
      },
      timeOf: timestampOf,
      normalise: (raw) => {
        const p = itemOrUnusable(ThreadsPost, raw, 'Threads post');
        if (isUnusable(p)) return p;
        return [
          {
            id: p.id,
            source: 'threads',
            text: p.text ?? '',
            created_at: new Date(Date.parse(p.timestamp)).toISOString(),
            author: { id: p.username, handle: p.username },
            ...(p.permalink ? { url: p.permalink } : {}),
            metadata: {
              ...(p.media_type ? { media_type: p.media_type } : {}),
              ...(p.is_reply ? { is_reply: true } : {}),
              ...(p.is_quote_post ? { is_quote: true } : {}),
            },
          },
        ];
      },
    });
  },
});
