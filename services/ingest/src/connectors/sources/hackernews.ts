import { z } from 'zod';
import type { EngagementUpdate, Mention } from '@earshot/shared';
import { defineSource } from '../define.js';
import { isUnusable, itemOrUnusable, newestFirstPoll } from '../paging.js';
import { htmlToText } from '../text.js';

// https://hn.algolia.com/api : search_by_date hits and items.
const Hit = z.object({
  objectID: z.string().min(1),
  created_at_i: z.number(),
  author: z.string().nullish(),
  title: z.string().nullish(),
  url: z.string().nullish(),
  story_text: z.string().nullish(),
  comment_text: z.string().nullish(),
  story_title: z.string().nullish(),
  points: z.number().nullish(),
  num_comments: z.number().nullish(),
  parent_id: z.number().nullish(),
  story_id: z.number().nullish(),
});
const SearchPage = z.object({ hits: z.array(z.unknown()), page: z.number(), nbPages: z.number() });
const Item = z.object({ id: z.number(), points: z.number().nullish(), children: z.array(z.unknown()).default([]) });

export function hitToMention(hit: z.infer<typeof Hit>): Mention {
  const isComment = hit.comment_text != null;
  const title = hit.title ?? hit.story_title ?? undefined;
  const body = htmlToText(hit.comment_text ?? hit.story_text ?? '');
  return {
    id: hit.objectID,
    source: 'hackernews',
    text: body || title || '',
    ...(title ? { title } : {}),
    created_at: new Date(hit.created_at_i * 1000).toISOString(),
    author: { id: hit.author || 'unknown', handle: hit.author || 'unknown' },
    url: `https://news.ycombinator.com/item?id=${hit.objectID}`,
    engagement: { likes: Math.max(0, hit.points ?? 0), shares: 0, replies: hit.num_comments ?? 0, views: 0 },
    ...(isComment && hit.parent_id != null ? { in_reply_to: String(hit.parent_id) } : {}),
    metadata: {
      kind: isComment ? 'comment' : 'story',
      ...(hit.story_id != null ? { story_id: String(hit.story_id) } : {}),
      ...(hit.url ? { link: hit.url } : {}),
    },
  };
}

export const hackerNews = defineSource({
  type: 'hackernews',
  source: 'hackernews',
  summary: 'Hacker News stories and comments through the Algolia search API (`search_by_date`); points refreshed from `items/:id`.',
  options: z.object({ type: z.literal('hackernews'), query: z.string().min(1), tags: z.string().default('(story,comment)') }),
  secrets: () => [],
  owned: false,
  defaultSchedule: '*/5 * * * *',
  create(o) {
    const base = o.base_url ?? 'https://hn.algolia.com';
    return {
      ...newestFirstPoll(o, 'hackernews', {
        async fetchPage(next, since, { http }) {
          const page = Number(next ?? 0);
          const params = new URLSearchParams({
            query: o.query,
            tags: o.tags,
            numericFilters: `created_at_i>=${Math.floor(since / 1000)}`,
            hitsPerPage: '100',
            page: String(page),
          });
          const body = await http.json(`${base}/api/v1/search_by_date?${params}`, SearchPage);
          return { items: body.hits, next: page + 1 < body.nbPages ? String(page + 1) : null };
        },
        timeOf: (raw) => {
          const t = (raw as { created_at_i?: unknown })?.created_at_i;
          return typeof t === 'number' ? t * 1000 : null;
        },
        normalise: (raw) => {
          const hit = itemOrUnusable(Hit, raw, 'Hacker News hit');
          return isUnusable(hit) ? hit : [hitToMention(hit)];
        },
      }),
      async refresh(recent, { http, clock }) {
        const out: EngagementUpdate[] = [];
        for (const m of recent.slice(0, 50)) {
          const item = await http.json(`${base}/api/v1/items/${encodeURIComponent(m.id)}`, Item);
          out.push({
            source: 'hackernews',
            id: m.id,
            engagement: { likes: Math.max(0, item.points ?? 0), shares: 0, replies: item.children.length, views: 0 },
            observed_at: new Date(clock.now()).toISOString(),
          });
        }
        return out;
      },
    };
  },
});
