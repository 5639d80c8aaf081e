import { z } from 'zod';
import type { Mention } from '@earshot/shared';
import { HttpError, type HttpClient } from '../http.js';
import { itemOrUnusable, isUnusable } from '../paging.js';
import type { Unusable } from '../types.js';
import { GRAPH_VERSION, graphJson } from './meta-graph.js';

// https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/mentions :
// the webhook's `mentions` field sends only ids, {media_id} for an @mention in a caption and
// {media_id, comment_id} for one in a comment, and Meta keeps no copy. The rest is looked up
// on the mentioned account: GET /{ig-user-id}?fields=mentioned_media.media_id(<id>){fields}
// and ?fields=mentioned_comment.comment_id(<id>){fields}, with a user token that has
// instagram_basic, instagram_manage_comments and pages_read_engagement. Not for Stories.
export const MENTION_PERMISSION = 'instagram_basic, instagram_manage_comments and pages_read_engagement';
const MEDIA_FIELDS = 'id,caption,media_type,permalink,timestamp,username,like_count,comments_count';
const COMMENT_FIELDS = 'id,text,timestamp,like_count,media';

export const MentionChange = z.object({ media_id: z.string(), comment_id: z.string().optional() });
const when = z.string().refine((s) => Number.isFinite(Date.parse(s)), 'timestamp is not a time');
const MentionedMedia = z.object({
  id: z.string(),
  caption: z.string().optional(),
  media_type: z.string().optional(),
  permalink: z.string().optional(),
  timestamp: when,
  username: z.string().optional(),
  like_count: z.number().int().nonnegative().optional(),
  comments_count: z.number().int().nonnegative().optional(),
});
const MentionedComment = z.object({
  id: z.string(),
  text: z.string(),
  timestamp: when,
  like_count: z.number().int().nonnegative().optional(),
  media: z.object({ id: z.string() }).optional(),
});
const Answer = z.object({ mentioned_media: z.unknown().optional(), mentioned_comment: z.unknown().optional() });

/** The mention one `mentions` change stands for, looked up on the account it mentions. */
export async function lookUpMention(
  http: HttpClient,
  o: { base: string; token: string; tokenEnv: string; accountId: string; now: number },
  change: z.infer<typeof MentionChange>,
): Promise<Mention[] | Unusable> {
  const field = change.comment_id
    ? `mentioned_comment.comment_id(${change.comment_id}){${COMMENT_FIELDS}}`
    : `mentioned_media.media_id(${change.media_id}){${MEDIA_FIELDS}}`;
  const params = new URLSearchParams({ fields: field, access_token: o.token });
  const url = `${o.base}/${GRAPH_VERSION}/${encodeURIComponent(o.accountId)}?${params}`;
  let answer: z.infer<typeof Answer>;
  try {
    answer = await graphJson(http, url, Answer, o.now, { tokenEnv: o.tokenEnv, permission: MENTION_PERMISSION });
  } catch (err) {
    // A refusal (a revoked token, a missing permission, a mention since deleted) will not pass on
    // a second delivery: its ids go to the dead letters with the reason. Anything else is retried.
    if (err instanceof HttpError && err.status !== null && err.status < 500)
      return {
        reason: `@mention (media ${change.media_id}${change.comment_id ? `, comment ${change.comment_id}` : ''}) could not be looked up: ${err.message}`,
        payload: change,
      };
    throw err;
  }
  const base = { source: 'instagram', metadata: { account_id: o.accountId, media_id: change.media_id, mention: change.comment_id ? 'comment' : 'caption' } };
  if (change.comment_id) {
    const c = itemOrUnusable(MentionedComment, answer.mentioned_comment, `Instagram comment ${change.comment_id} mentioning the account`);
    if (isUnusable(c)) return c;
    return [
      {
        ...base,
        id: c.id,
        text: c.text,
        created_at: new Date(Date.parse(c.timestamp)).toISOString(),
        // The lookup gives no commenter (Meta's mentioned_comment fields): one unknown author per comment.
        author: { id: `ig-comment-${c.id}`, handle: 'unknown' },
        in_reply_to: c.media?.id ?? change.media_id,
        engagement: { likes: c.like_count ?? 0, shares: 0, replies: 0, views: 0 },
      },
    ];
  }
  const m = itemOrUnusable(MentionedMedia, answer.mentioned_media, `Instagram media ${change.media_id} mentioning the account`);
  if (isUnusable(m)) return m;
  return [
    {
      ...base,
      id: m.id,
      text: m.caption ?? '',
      created_at: new Date(Date.parse(m.timestamp)).toISOString(),
      author: m.username ? { id: m.username, handle: m.username } : { id: `ig-media-${m.id}`, handle: 'unknown' },
      ...(m.permalink ? { url: m.permalink } : {}),
      engagement: { likes: m.like_count ?? 0, shares: 0, replies: m.comments_count ?? 0, views: 0 },
      metadata: { ...base.metadata, ...(m.media_type ? { media_type: m.media_type } : {}) },
    },
  ];
}
