import { z } from 'zod';
import type { Mention } from '@earshot/shared';
import { defineSource, requireEnv } from '../define.js';
import { harvestNewestFirst, isUnusable, itemOrUnusable, timeField } from '../paging.js';
import type { Cursor, Unusable } from '../types.js';
import { GRAPH_VERSION, graphJson } from './meta-graph.js';

// https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/hashtag-search :
// GET /ig_hashtag_search?user_id=&q= gives a hashtag's id (static and global); GET
// /{hashtag-id}/recent_media?user_id=&fields= the public photos and videos tagged with it in
// the last 24 hours, at most 50 a page, paged with `paging.cursors.after` (no `paging.next`
// on the last page), not always in exact time order. An account may query 30 unique
// hashtags in a rolling 7 days: a hashtag counts from its first query for 7 days, and
// querying it again in that time neither counts again nor restarts its 7 days. No
// username on the media, no Stories, no emoji in hashtags. Needs the Instagram Public
// Content Access feature and instagram_basic, through app review.
export const HASHTAGS_PER_WEEK = 30;
const WEEK_MS = 7 * 86_400_000;
const RECENT_MEDIA_HOURS = 24;
const PAGE_SIZE = 50;
const FIELDS = 'id,caption,media_type,permalink,timestamp,like_count,comments_count';
const PERMISSION = 'instagram_basic with the Instagram Public Content Access feature';

const hashtag = z
  .string()
  .transform((s) => s.trim().replace(/^#/, '').toLowerCase())
  .pipe(z.string().regex(/^[\p{L}\p{N}_]{1,100}$/u, 'a hashtag is letters, digits and "_" (Instagram takes no spaces or emoji)'));

const IgMedia = z.object({
  id: z.string(),
  caption: z.string().optional(),
  media_type: z.string().optional(),
  permalink: z.string().optional(),
  timestamp: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'timestamp is not a time'),
  like_count: z.number().int().nonnegative().optional(),
  comments_count: z.number().int().nonnegative().optional(),
});
const HashtagSearch = z.object({ data: z.array(z.object({ id: z.string() })) });
const MediaPage = z.object({
  data: z.array(z.unknown()),
  paging: z.object({ cursors: z.object({ after: z.string().optional() }).optional(), next: z.string().optional() }).optional(),
});
const timestampOf = timeField('timestamp');

/** What the cursor keeps: each hashtag's id, when the account first queried it in its current 7 days, and its own paging position. */
const State = z.object({
  ids: z.record(z.string(), z.string()).catch({}),
  window: z.record(z.string(), z.number()).catch({}),
  tags: z.record(z.string(), z.record(z.string(), z.unknown())).catch({}),
  polled_at: z.number().optional().catch(undefined),
});

/**
 * The hashtags the account may query now: those still inside their 7 days, and new ones
 * while fewer than 30 are; `window` is updated for the new ones. The rest wait, with why.
 */
export function budgetHashtags(
  wanted: string[],
  window: Record<string, number>,
  now: number,
): { allowed: string[]; window: Record<string, number>; waiting: string | null } {
  const live = Object.fromEntries(Object.entries(window).filter(([, first]) => now - first < WEEK_MS));
  const allowed: string[] = [];
  const refused: string[] = [];
  for (const tag of wanted) {
    if (tag in live) allowed.push(tag);
    else if (Object.keys(live).length < HASHTAGS_PER_WEEK) {
      live[tag] = now;
      allowed.push(tag);
    } else refused.push(tag);
  }
  const frees = Math.min(...Object.values(live)) + WEEK_MS;
  const waiting = refused.length
    ? `#${refused.join(', #')} not searched: this account has queried ${HASHTAGS_PER_WEEK} unique hashtags in the last 7 days (Instagram's limit); the next place frees at ${new Date(frees).toISOString()}`
    : null;
  return { allowed, window: live, waiting };
}

export const instagramHashtags = defineSource({
  type: 'instagram_hashtags',
  source: 'instagram',
  summary:
    'Public Instagram photos and videos tagged with your hashtags in the last 24 hours (Graph API hashtag search, `recent_media`), within the 30 hashtags a week Instagram allows an account.',
  options: z.object({
    type: z.literal('instagram_hashtags'),
    /** The Instagram professional account the searches are made for; the 30-a-week limit is its. */
    user_id: z.string().regex(/^\d+$/, 'the numeric Instagram professional account id'),
    hashtags: z
      .array(hashtag)
      .min(1)
      .max(HASHTAGS_PER_WEEK, `Instagram lets an account query at most ${HASHTAGS_PER_WEEK} unique hashtags in 7 days`)
      .refine((tags) => new Set(tags).size === tags.length, 'a hashtag is listed twice'),
    token_env: z.string().default('EARSHOT_INSTAGRAM_TOKEN'),
  }),
  secrets: (o) => [o.token_env],
  // The brand chose the hashtags: what is tagged with them is its, whatever the caption's words
  // (a brand query's "acme" does not match "#acme").
  owned: true,
  // Well within recent_media's 24 hours, so a few failed polls lose nothing.
  defaultSchedule: '*/30 * * * *',
  perAccount: (o) => ({ account: o.user_id, uses: o.hashtags, max: HASHTAGS_PER_WEEK, what: 'unique hashtags in 7 days (Instagram hashtag search)' }),
  create(o, { env }) {
    const base = o.base_url ?? 'https://graph.facebook.com';
    const token = requireEnv(env, o.token_env);
    const graph = { tokenEnv: o.token_env, permission: PERMISSION };
    const normalise = (raw: unknown, tag: string): Mention[] | Unusable => {
      const m = itemOrUnusable(IgMedia, raw, 'Instagram hashtag media');
      if (isUnusable(m)) return m;
      return [
        {
          id: m.id,
          source: 'instagram',
          text: m.caption ?? '',
          created_at: new Date(Date.parse(m.timestamp)).toISOString(),
          // Hashtag search never gives who posted (Meta: no username on returned media): one unknown author per post.
          author: { id: `ig-media-${m.id}`, handle: 'unknown' },
          ...(m.permalink ? { url: m.permalink } : {}),
          engagement: { likes: m.like_count ?? 0, shares: 0, replies: m.comments_count ?? 0, views: 0 },
          metadata: { hashtag: tag, author_hidden: true, ...(m.media_type ? { media_type: m.media_type } : {}) },
        },
      ];
    };
    return {
      kind: 'poll',
      source: 'instagram',
      async poll(cursor, { http, clock }) {
        const now = clock.now();
        const state = State.parse(cursor);
        const notices: string[] = [];
        if (state.polled_at !== undefined && now - state.polled_at > RECENT_MEDIA_HOURS * 3_600_000)
          notices.push(
            `the last poll was at ${new Date(state.polled_at).toISOString()}: media tagged before ${new Date(now - RECENT_MEDIA_HOURS * 3_600_000).toISOString()} has left recent_media's 24 hours and cannot be read`,
          );
        const budget = budgetHashtags(o.hashtags, state.window, now);
        if (budget.waiting) notices.push(budget.waiting);
        const ids = { ...state.ids };
        const tags: Record<string, Cursor> = {};
        const byId = new Map<string, Mention>();
        const unusable: Unusable[] = [];
        for (const tag of budget.allowed) {
          if (!ids[tag]) {
            const params = new URLSearchParams({ user_id: o.user_id, q: tag, access_token: token });
            const found = await graphJson(http, `${base}/${GRAPH_VERSION}/ig_hashtag_search?${params}`, HashtagSearch, now, graph);
            const id = found.data[0]?.id;
            if (!id) {
              notices.push(`Instagram knows no hashtag #${tag}`);
              continue;
            }
            ids[tag] = id;
          }
          const harvest = await harvestNewestFirst({
            cursor: state.tags[tag] ?? {},
            now,
            lookbackHours: Math.min(o.lookback_hours, RECENT_MEDIA_HOURS),
            // recent_media is not always in exact time order: the overlap takes in what comes out of it.
            overlapMinutes: o.overlap_minutes,
            maxPages: o.max_pages,
            async fetchPage(after) {
              const params = new URLSearchParams({
                user_id: o.user_id,
                fields: FIELDS,
                limit: String(PAGE_SIZE),
                access_token: token,
                ...(after ? { after } : {}),
              });
              const page = await graphJson(http, `${base}/${GRAPH_VERSION}/${encodeURIComponent(ids[tag]!)}/recent_media?${params}`, MediaPage, now, graph);
              return { items: page.data, next: page.paging?.next ? (page.paging.cursors?.after ?? null) : null };
            },
            timeOf: timestampOf,
            normalise: (raw) => normalise(raw, tag),
          });
          tags[tag] = harvest.cursor;
          unusable.push(...harvest.unusable);
          notices.push(...(harvest.notices ?? []));
          // Media under two of the hashtags is one mention.
          for (const m of harvest.mentions) if (!byId.has(m.id)) byId.set(m.id, m);
        }
        // Hashtags not polled this time (over the budget, or dropped from the file) keep their place for later.
        for (const [tag, c] of Object.entries(state.tags)) if (!(tag in tags) && o.hashtags.includes(tag)) tags[tag] = c;
        return {
          mentions: [...byId.values()],
          unusable,
          ...(notices.length ? { notices } : {}),
          cursor: { ids, window: budget.window, tags, polled_at: now },
        };
      },
    };
  },
});
