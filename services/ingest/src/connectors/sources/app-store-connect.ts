import { z } from 'zod';
import type { Mention } from '@earshot/shared';
import { defineSource, requireEnv } from '../define.js';
import { withTokenRenewal } from '../http.js';
import { privateKeyFrom, signJwt } from '../jwt.js';
import { isUnusable, itemOrUnusable, newestFirstPoll, timeField } from '../paging.js';
import { brandReply } from './reviews.js';

// https://developer.apple.com/documentation/appstoreconnectapi/generating-tokens-for-api-requests :
// an ES256 JWT signed with the team's API key (kid), issuer id as `iss`, audience
// "appstoreconnect-v1", lifetime at most 20 minutes.
// https://developer.apple.com/documentation/appstoreconnectapi/get-v1-apps-_id_-customerreviews :
// newest first with sort=-createdDate, up to 200 a page, `links.next` for the next page, the
// developer's answer as an included customerReviewResponses resource.
const TOKEN_LIFETIME_S = 19 * 60;
const Review = z.object({
  type: z.literal('customerReviews'),
  id: z.string(),
  attributes: z.object({
    rating: z.number().int().min(1).max(5),
    title: z.string().nullish(),
    body: z.string().nullish(),
    reviewerNickname: z.string().nullish(),
    createdDate: z.string(),
    territory: z.string().optional(),
  }),
  relationships: z.object({ response: z.object({ data: z.object({ id: z.string() }).nullish() }).optional() }).optional(),
});
const ResponseResource = z.object({
  type: z.literal('customerReviewResponses'),
  id: z.string(),
  attributes: z.object({ responseBody: z.string(), lastModifiedDate: z.string(), state: z.string().optional() }),
});
const Page = z.object({ data: z.array(z.unknown()), included: z.array(z.unknown()).default([]), links: z.object({ next: z.string().optional() }).default({}) });

export const appStoreConnect = defineSource({
  type: 'appstore_connect',
  source: 'appstore',
  summary: 'App Store reviews of your own app from the App Store Connect API (every territory, newest first), with your published responses.',
  options: z.object({
    type: z.literal('appstore_connect'),
    app_id: z.string().regex(/^\d+$/, 'the numeric Apple ID of the app'),
    issuer_id_env: z.string().default('EARSHOT_ASC_ISSUER_ID'),
    key_id_env: z.string().default('EARSHOT_ASC_KEY_ID'),
    /** The .p8 key's PEM text. */
    private_key_env: z.string().default('EARSHOT_ASC_PRIVATE_KEY'),
  }),
  secrets: (o) => [o.issuer_id_env, o.key_id_env, o.private_key_env],
  owned: true,
  defaultSchedule: '*/30 * * * *',
  create(o, { env, brand }) {
    const base = o.base_url ?? 'https://api.appstoreconnect.apple.com';
    const key = privateKeyFrom(requireEnv(env, o.private_key_env), o.private_key_env);
    const kid = requireEnv(env, o.key_id_env);
    const iss = requireEnv(env, o.issuer_id_env);
    let jwt: { value: string; until: number } | null = null;
    const bearer = (now: number) => {
      if (!jwt || now >= jwt.until) {
        const iat = Math.floor(now / 1000);
        jwt = {
          value: signJwt('ES256', key, { iss, iat, exp: iat + TOKEN_LIFETIME_S, aud: 'appstoreconnect-v1' }, { kid }),
          until: now + (TOKEN_LIFETIME_S - 60) * 1000,
        };
      }
      return jwt.value;
    };
    let responses = new Map<string, z.infer<typeof ResponseResource>>();
    return newestFirstPoll(o, 'appstore', {
      async fetchPage(next, _since, { http, clock }) {
        const first = `${base}/v1/apps/${o.app_id}/customerReviews?${new URLSearchParams({ sort: '-createdDate', limit: '200', include: 'response' })}`;
        // Only follow `links.next` on Apple's own host: the token must not go elsewhere.
        const url = next && new URL(next).origin === new URL(base).origin ? next : first;
        const page = await withTokenRenewal(
          () => http.json(url, Page, { headers: { authorization: `Bearer ${bearer(clock.now())}` } }),
          () => void (jwt = null),
        );
        responses = new Map(
          page.included.flatMap((r) => (ResponseResource.safeParse(r).success ? [[(r as { id: string }).id, ResponseResource.parse(r)] as const] : [])),
        );
        return { items: page.data, next: page.links.next ?? null };
      },
      timeOf: timeField('attributes', 'createdDate'),
      normalise: (raw) => {
        const r = itemOrUnusable(Review, raw, 'App Store Connect review');
        if (isUnusable(r)) return r;
        const a = r.attributes;
        const review: Mention = {
          id: `asc:${r.id}`,
          source: 'appstore',
          text: a.body ?? '',
          ...(a.title ? { title: a.title } : {}),
          rating: a.rating,
          created_at: new Date(Date.parse(a.createdDate)).toISOString(),
          author: { id: a.reviewerNickname ?? 'anonymous', handle: a.reviewerNickname ?? 'anonymous' },
          url: `https://apps.apple.com/app/id${o.app_id}?see-all=reviews`,
          metadata: { app_id: o.app_id, ...(a.territory ? { territory: a.territory } : {}) },
        };
        const answer = r.relationships?.response?.data ? responses.get(r.relationships.response.data.id) : undefined;
        if (!answer) return [review];
        const reply = brandReply(
          review,
          { text: answer.attributes.responseBody, created_at: new Date(Date.parse(answer.attributes.lastModifiedDate)).toISOString() },
          brand.id,
        );
        return [review, { ...reply, metadata: { ...reply.metadata, ...(answer.attributes.state ? { state: answer.attributes.state } : {}) } }];
      },
    });
  },
});
