import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Mention } from '@earshot/shared';
import { defineSource, requireEnv } from '../define.js';
import type { HttpClient } from '../http.js';
import type { Unusable, WebhookConnector } from '../types.js';
import { MentionChange, lookUpMention } from './instagram-mentions.js';

// https://developers.facebook.com/docs/graph-api/webhooks/getting-started : Meta checks the
// callback with GET ?hub.mode=subscribe&hub.verify_token=…&hub.challenge=… (echo the
// challenge), then POSTs JSON signed in `X-Hub-Signature-256: sha256=<HMAC-SHA256 of the
// payload with the app secret>` and expects 200. One callback per app and object type serves
// every Page or account the app is subscribed to, so each of these is one hook for all
// brands, routed by the entry's Page or account id.
const Push = z.object({
  object: z.string(),
  entry: z.array(
    z.object({
      id: z.string(),
      time: z.number(),
      changes: z.array(z.object({ field: z.string(), value: z.unknown() })).optional(),
      // Instagram Business Login sends one change inline.
      field: z.string().optional(),
      value: z.unknown().optional(),
    }),
  ),
});
type Entry = z.infer<typeof Push>['entry'][number];
const secondsOrMs = (t: number) => (t > 1e12 ? t : t * 1000);
const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

const metaOptions = {
  /** The hook's path segment: POST /v1/hooks/<name>. */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/)
    .optional(),
  app_secret_env: z.string().default('EARSHOT_META_APP_SECRET'),
  verify_token_env: z.string().default('EARSHOT_META_VERIFY_TOKEN'),
};

type Lookup = { http: HttpClient; now: number };
type ChangeOutcome = Mention[] | Unusable | null;

/**
 * The webhook for one Meta object type; `change` turns one change of a brand's entry into
 * mentions, looking up what Meta sends only as ids through `lookup`'s HTTP client.
 */
function metaHook(
  o: { name?: string; app_secret_env: string; verify_token_env: string },
  env: (n: string) => string | undefined,
  spec: {
    object: string;
    name: string;
    source: string;
    accounts: Map<string, string>;
    change(entry: Entry, field: string, value: unknown, lookup: Lookup): ChangeOutcome | Promise<ChangeOutcome>;
  },
): WebhookConnector {
  const verifyToken = requireEnv(env, o.verify_token_env);
  return {
    kind: 'webhook',
    source: spec.source,
    name: o.name ?? spec.name,
    secret: requireEnv(env, o.app_secret_env),
    signedWith: 'x-hub-signature-256',
    okStatus: 200,
    verify: (q) => (q.get('hub.mode') === 'subscribe' && sameText(q.get('hub.verify_token') ?? '', verifyToken) ? (q.get('hub.challenge') ?? '') : null),
    async read(body, now, ctx) {
      const mentions: Mention[] = [];
      const unusable: Unusable[] = [];
      for (const raw of Array.isArray(body) ? body : [body]) {
        const push = Push.safeParse(raw);
        if (!push.success || push.data.object !== spec.object) {
          unusable.push({
            reason: `not a Meta "${spec.object}" webhook delivery: ${push.success ? `object is "${push.data.object}"` : `${push.error.issues[0]?.path.join('.')}: ${push.error.issues[0]?.message}`}`,
            payload: raw,
          });
          continue;
        }
        for (const entry of push.data.entry) {
          const brand = spec.accounts.get(entry.id);
          if (!brand) {
            unusable.push({ reason: `delivery for ${spec.object} account ${entry.id}, which no brand in the brands file names`, payload: entry });
            continue;
          }
          const changes = entry.changes ?? (entry.field ? [{ field: entry.field, value: entry.value }] : []);
          for (const c of changes) {
            const out = await spec.change(entry, c.field, c.value, { http: ctx.http, now });
            if (out === null) continue; // a change that is not a mention (a like, a removal)
            if (Array.isArray(out)) mentions.push(...out.map((m) => ({ ...m, brands: [brand] })));
            else unusable.push(out);
          }
        }
      }
      return { mentions, unusable, cursor: {} };
    },
  };
}

// https://developers.facebook.com/docs/graph-api/webhooks/reference/page/#feed : `feed`
// changes carry item (comment, post, status, photo, video, share, reaction…), verb (add,
// edited, remove…), from, message, post_id, comment_id, parent_id and created_time.
const FeedChange = z.object({
  item: z.string(),
  verb: z.string(),
  from: z.object({ id: z.string(), name: z.string().optional() }).optional(),
  message: z.string().optional(),
  post_id: z.string().optional(),
  comment_id: z.string().optional(),
  parent_id: z.string().optional(),
  created_time: z.number().optional(),
  post: z.object({ permalink_url: z.string().optional() }).optional(),
});
const WRITTEN = new Set(['comment', 'post', 'status', 'photo', 'video', 'share']);

export const facebookPage = defineSource({
  type: 'facebook_page',
  source: 'facebook',
  summary: "Comments and visitor posts on your Facebook Page, pushed by Meta webhooks (Page `feed` field), your Page's replies included.",
  options: z.object({ type: z.literal('facebook_page'), page_id: z.string().regex(/^\d+$/, 'the numeric Page id'), ...metaOptions }),
  secrets: (o) => [o.app_secret_env, o.verify_token_env],
  owned: true,
  defaultSchedule: '* * * * *',
  networkWide: (o) => `facebook ${o.name ?? ''}`,
  create(o, { env, members }) {
    const pages = new Map(members.map((m) => [m.options.page_id, m.brand]));
    return metaHook(o, env, {
      object: 'page',
      name: 'facebook',
      source: 'facebook',
      accounts: pages,
      change(entry, field, value) {
        if (field !== 'feed') return null;
        const v = FeedChange.safeParse(value);
        if (!v.success)
          return {
            reason: `Facebook feed change is not in the documented shape: ${v.error.issues[0]?.path.join('.')}: ${v.error.issues[0]?.message}`,
            payload: value,
          };
        const c = v.data;
        if (!WRITTEN.has(c.item) || (c.verb !== 'add' && c.verb !== 'edited') || !c.message) return null;
        const id = c.item === 'comment' ? c.comment_id : c.post_id;
        if (!id || !c.from) return { reason: `Facebook ${c.item} change has no ${!id ? 'id' : 'from'}`, payload: value };
        const m: Mention = {
          id,
          source: 'facebook',
          text: c.message,
          created_at: new Date(secondsOrMs(c.created_time ?? entry.time)).toISOString(),
          author: { id: c.from.id, handle: c.from.name ?? c.from.id },
          url: c.post?.permalink_url ?? `https://www.facebook.com/${encodeURIComponent(id)}`,
          ...(c.item === 'comment' && (c.parent_id ?? c.post_id) ? { in_reply_to: c.parent_id ?? c.post_id } : {}),
          ...(c.from.id === entry.id ? { from_brand: true } : {}),
          metadata: { page_id: entry.id, item: c.item, ...(c.verb === 'edited' ? { edited: true } : {}) },
        };
        return [m];
      },
    });
  },
});

// https://developers.facebook.com/docs/instagram-platform/webhooks/examples : `comments` (and
// `live_comments`) changes carry the comment id, text, from {id, username}, media {id,
// media_product_type} and parent_id for replies; no time of their own (the entry's is used).
const IgComment = z.object({
  id: z.string(),
  text: z.string(),
  from: z.object({ id: z.string(), username: z.string() }),
  media: z.object({ id: z.string(), media_product_type: z.string().optional() }).optional(),
  parent_id: z.string().optional(),
});

export const instagram = defineSource({
  type: 'instagram',
  source: 'instagram',
  summary:
    "Comments on your Instagram professional account's posts and lives, pushed by Meta webhooks (`comments`, `live_comments`), your replies included; @mentions of the account (`mentions`), looked up by id.",
  options: z.object({
    type: z.literal('instagram'),
    account_id: z.string().regex(/^\d+$/, 'the numeric Instagram professional account id'),
    /** Your account's username: comments it writes are the brand's replies. */
    username: z.string().min(1),
    /**
     * A user token for this account (instagram_basic, instagram_manage_comments,
     * pages_read_engagement): @mentions arrive as ids and are looked up with it.
     */
    mentions_token_env: z.string().optional(),
    ...metaOptions,
  }),
  secrets: (o) => [o.app_secret_env, o.verify_token_env, ...(o.mentions_token_env ? [o.mentions_token_env] : [])],
  owned: true,
  defaultSchedule: '* * * * *',
  networkWide: (o) => `instagram ${o.name ?? ''}`,
  create(o, { env, members }) {
    const accounts = new Map(members.map((m) => [m.options.account_id, m.brand]));
    const usernames = new Set(members.map((m) => m.options.username.toLowerCase()));
    const tokens = new Map(members.flatMap((m) => (m.options.mentions_token_env ? [[m.options.account_id, m.options.mentions_token_env] as const] : [])));
    const base = o.base_url ?? 'https://graph.facebook.com';
    return metaHook(o, env, {
      object: 'instagram',
      name: 'instagram',
      source: 'instagram',
      accounts,
      change(entry, field, value, { http, now }) {
        if (field === 'mentions') {
          const v = MentionChange.safeParse(value);
          if (!v.success)
            return {
              reason: `Instagram mentions change is not in the documented shape: ${v.error.issues[0]?.path.join('.')}: ${v.error.issues[0]?.message}`,
              payload: value,
            };
          const tokenEnv = tokens.get(entry.id);
          if (!tokenEnv)
            return {
              reason: `@mention of Instagram account ${entry.id} (media ${v.data.media_id}${v.data.comment_id ? `, comment ${v.data.comment_id}` : ''}) arrives as ids only: set mentions_token_env on that brand's instagram source to look it up`,
              payload: value,
            };
          return lookUpMention(http, { base, token: requireEnv(env, tokenEnv), tokenEnv, accountId: entry.id, now }, v.data);
        }
        if (field !== 'comments' && field !== 'live_comments') return null;
        const v = IgComment.safeParse(value);
        if (!v.success)
          return {
            reason: `Instagram comment change is not in the documented shape: ${v.error.issues[0]?.path.join('.')}: ${v.error.issues[0]?.message}`,
            payload: value,
          };
        const c = v.data;
        const m: Mention = {
          id: c.id,
          source: 'instagram',
          text: c.text,
          created_at: new Date(secondsOrMs(entry.time)).toISOString(),
          author: { id: c.from.id, handle: c.from.username },
          ...(c.parent_id ? { in_reply_to: c.parent_id } : {}),
          ...(usernames.has(c.from.username.toLowerCase()) ? { from_brand: true } : {}),
          metadata: {
            account_id: entry.id,
            ...(c.media ? { media_id: c.media.id, ...(c.media.media_product_type ? { media_product_type: c.media.media_product_type } : {}) } : {}),
            ...(field === 'live_comments' ? { live: true } : {}),
          },
        };
        return [m];
      },
    });
  },
});
