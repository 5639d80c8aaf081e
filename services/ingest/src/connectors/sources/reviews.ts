import { z } from 'zod';
import type { Mention } from '@earshot/shared';
import { defineSource, requireEnv } from '../define.js';
import { isUnusable, itemOrUnusable, newestFirstPoll, timeField, timeOrNull } from '../paging.js';
import { zonedToUtc } from '../text.js';
import { DEFAULT_TOKEN_URL, googleApi } from './google-auth.js';

/**
 * The brand's public answer to a review, as its own mention (the brand speaking, in reply
 * to the review), so conversations and response times can be measured.
 */
export function brandReply(review: Mention, reply: { text: string; created_at: string }, account: string): Mention {
  return {
    id: `${review.id}:reply`,
    source: review.source,
    text: reply.text,
    created_at: reply.created_at,
    author: { id: account, handle: account },
    ...(review.url ? { url: review.url } : {}),
    in_reply_to: review.id,
    from_brand: true,
    metadata: { kind: 'brand_reply' },
  };
}

// https://developers.trustpilot.com/business-units-api-(public)#get-a-business-unit's-reviews
const TrustpilotReview = z.object({
  id: z.string(),
  consumer: z.object({ id: z.string().optional(), displayName: z.string() }),
  stars: z.number().int().min(1).max(5),
  title: z.string().default(''),
  text: z.string(),
  language: z.string().optional(),
  createdAt: z.string(),
  numberOfLikes: z.number().optional(),
  companyReply: z.object({ text: z.string(), createdAt: z.string() }).nullish(),
});

export const trustpilot = defineSource({
  type: 'trustpilot',
  source: 'trustpilot',
  summary: 'Trustpilot business unit reviews (public Business Units API, newest first) with stars, title and the company reply.',
  options: z.object({ type: z.literal('trustpilot'), business_unit_id: z.string().min(1), key_env: z.string().default('EARSHOT_TRUSTPILOT_API_KEY') }),
  secrets: (o) => [o.key_env],
  owned: true,
  defaultSchedule: '*/30 * * * *',
  create(o, { env, brand }) {
    const base = o.base_url ?? 'https://api.trustpilot.com';
    const key = requireEnv(env, o.key_env);
    return newestFirstPoll(o, 'trustpilot', {
      async fetchPage(next, _since, { http }) {
        const page = Number(next ?? 1);
        const params = new URLSearchParams({ perPage: '100', page: String(page), orderBy: 'createdat.desc' });
        const body = await http.json(
          `${base}/v1/business-units/${encodeURIComponent(o.business_unit_id)}/reviews?${params}`,
          z.object({ reviews: z.array(z.unknown()) }),
          { headers: { apikey: key } },
        );
        return { items: body.reviews, next: body.reviews.length === 100 ? String(page + 1) : null };
      },
      timeOf: timeField('createdAt'),
      normalise: (raw) => {
        const r = itemOrUnusable(TrustpilotReview, raw, 'Trustpilot review');
        if (isUnusable(r)) return r;
        const review: Mention = {
          id: r.id,
          source: 'trustpilot',
          text: r.text,
          title: r.title,
          rating: r.stars,
          created_at: r.createdAt,
          author: { id: r.consumer.id ?? r.consumer.displayName, handle: r.consumer.displayName },
          url: `https://www.trustpilot.com/reviews/${encodeURIComponent(r.id)}`,
          ...(r.language ? { lang: r.language } : {}),
          engagement: { likes: r.numberOfLikes ?? 0, shares: 0, replies: r.companyReply ? 1 : 0, views: 0 },
        };
        return r.companyReply ? [review, brandReply(review, { text: r.companyReply.text, created_at: r.companyReply.createdAt }, brand.id)] : [review];
      },
    });
  },
});

// https://docs.developer.yelp.com/reference/v3_business_reviews : time_created is Pacific time, no zone.
const YelpReview = z.object({
  id: z.string(),
  url: z.string().optional(),
  text: z.string(),
  rating: z.number().int().min(1).max(5),
  time_created: z.string(),
  user: z.object({ id: z.string(), name: z.string(), profile_url: z.string().optional() }),
});

export const yelp = defineSource({
  type: 'yelp',
  source: 'yelp',
  summary: 'Yelp Fusion business reviews (newest first; the API gives excerpts, up to three on the basic plan).',
  options: z.object({
    type: z.literal('yelp'),
    business_id: z.string().min(1),
    key_env: z.string().default('EARSHOT_YELP_API_KEY'),
    timezone: z.string().default('America/Los_Angeles'),
  }),
  secrets: (o) => [o.key_env],
  owned: true,
  defaultSchedule: '0 * * * *',
  create(o, { env }) {
    const base = o.base_url ?? 'https://api.yelp.com';
    const key = requireEnv(env, o.key_env);
    const created = (r: unknown) => {
      return timeOrNull(zonedToUtc(String((r as { time_created?: unknown })?.time_created), o.timezone));
    };
    return newestFirstPoll(o, 'yelp', {
      async fetchPage(next, _since, { http }) {
        const offset = Number(next ?? 0);
        const params = new URLSearchParams({ limit: '20', sort_by: 'newest', offset: String(offset) });
        const body = await http.json(
          `${base}/v3/businesses/${encodeURIComponent(o.business_id)}/reviews?${params}`,
          z.object({ reviews: z.array(z.unknown()), total: z.number() }),
          {
            headers: { authorization: `Bearer ${key}` },
          },
        );
        return {
          items: body.reviews,
          next: offset + body.reviews.length < body.total && body.reviews.length > 0 ? String(offset + body.reviews.length) : null,
        };
      },
      timeOf: created,
      normalise: (raw) => {
        const r = itemOrUnusable(YelpReview, raw, 'Yelp review');
        if (isUnusable(r)) return r;
        const t = created(r);
        if (t === null) return { reason: `Yelp review time_created "${r.time_created}" is not "YYYY-MM-DD HH:MM:SS"`, payload: raw };
        return [
          {
            id: r.id,
            source: 'yelp',
            text: r.text,
            rating: r.rating,
            created_at: new Date(t).toISOString(),
            author: { id: r.user.id, handle: r.user.name },
            ...(r.url ? { url: r.url } : {}),
          },
        ];
      },
    });
  },
});

// https://developers.google.com/my-business/reference/rest/v4/accounts.locations.reviews/list
const STARS = { ONE: 1, TWO: 2, THREE: 3, FOUR: 4, FIVE: 5 } as const;
const GoogleReview = z.object({
  reviewId: z.string(),
  reviewer: z.object({ displayName: z.string().optional(), isAnonymous: z.boolean().optional() }),
  starRating: z.enum(['STAR_RATING_UNSPECIFIED', 'ONE', 'TWO', 'THREE', 'FOUR', 'FIVE']),
  comment: z.string().optional(),
  createTime: z.string(),
  updateTime: z.string(),
  reviewReply: z.object({ comment: z.string(), updateTime: z.string() }).optional(),
});

const googleOAuth = {
  client_id_env: z.string().default('EARSHOT_GOOGLE_CLIENT_ID'),
  client_secret_env: z.string().default('EARSHOT_GOOGLE_CLIENT_SECRET'),
  refresh_token_env: z.string().default('EARSHOT_GOOGLE_REFRESH_TOKEN'),
  token_url: z.url().default(DEFAULT_TOKEN_URL),
};
const googleSecrets = (o: { client_id_env: string; client_secret_env: string; refresh_token_env: string }) => [
  o.client_id_env,
  o.client_secret_env,
  o.refresh_token_env,
];

export const googleBusiness = defineSource({
  type: 'google_business',
  source: 'google_business',
  summary: 'Google Business Profile reviews of one location (My Business API v4, by update time, so new owner replies are seen) with star rating and reply.',
  options: z.object({ type: z.literal('google_business'), account_id: z.string().min(1), location_id: z.string().min(1), ...googleOAuth }),
  secrets: googleSecrets,
  owned: true,
  defaultSchedule: '*/30 * * * *',
  create(o, { env, brand }) {
    const base = o.base_url ?? 'https://mybusiness.googleapis.com';
    const google = googleApi(env, o);
    return newestFirstPoll(o, 'google_business', {
      async fetchPage(pageToken, _since, { http, clock }) {
        const params = new URLSearchParams({ pageSize: '50', orderBy: 'updateTime desc', ...(pageToken ? { pageToken } : {}) });
        const body = await google.json(
          http,
          clock.now(),
          `${base}/v4/accounts/${encodeURIComponent(o.account_id)}/locations/${encodeURIComponent(o.location_id)}/reviews?${params}`,
          z.object({ reviews: z.array(z.unknown()).default([]), nextPageToken: z.string().optional() }),
        );
        return { items: body.reviews, next: body.nextPageToken ?? null };
      },
      timeOf: timeField('updateTime'),
      normalise: (raw) => {
        const r = itemOrUnusable(GoogleReview, raw, 'Google review');
        if (isUnusable(r)) return r;
        const name = r.reviewer.isAnonymous ? 'anonymous' : (r.reviewer.displayName ?? 'anonymous');
        const review: Mention = {
          id: r.reviewId,
          source: 'google_business',
          text: r.comment ?? '',
          created_at: r.createTime,
          author: { id: name, handle: name },
          ...(r.starRating !== 'STAR_RATING_UNSPECIFIED' ? { rating: STARS[r.starRating] } : {}),
          metadata: { location_id: o.location_id },
        };
        return r.reviewReply ? [review, brandReply(review, { text: r.reviewReply.comment, created_at: r.reviewReply.updateTime }, brand.id)] : [review];
      },
    });
  },
});

// https://developers.google.com/android-publisher/api-ref/rest/v3/reviews/list (the app owner's reviews, last week)
const Timestamp = z.object({ seconds: z.union([z.string(), z.number()]), nanos: z.number().optional() });
const PlayReview = z.object({
  reviewId: z.string(),
  authorName: z.string().optional(),
  comments: z.array(
    z.object({
      userComment: z
        .object({
          text: z.string(),
          lastModified: Timestamp,
          starRating: z.number().int().min(1).max(5),
          reviewerLanguage: z.string().optional(),
          thumbsUpCount: z.number().optional(),
          appVersionName: z.string().optional(),
        })
        .optional(),
      developerComment: z.object({ text: z.string(), lastModified: Timestamp }).optional(),
    }),
  ),
});
const playTime = (t: z.infer<typeof Timestamp>) => Number(t.seconds) * 1000 + Math.floor((t.nanos ?? 0) / 1e6);

export const googlePlay = defineSource({
  type: 'google_play',
  source: 'google_play',
  summary: 'Google Play reviews of your own app (Play Developer API `reviews.list`; Google keeps the last week there) with rating and developer reply.',
  options: z.object({
    type: z.literal('google_play'),
    package_name: z.string().regex(/^[\w.]+$/, 'an Android package name'),
    ...googleOAuth,
    /** A service account key file (JSON) invited in Play Console, instead of a user's refresh token. */
    service_account_env: z.string().optional(),
  }),
  secrets: (o) => (o.service_account_env ? [o.service_account_env] : googleSecrets(o)),
  owned: true,
  defaultSchedule: '*/30 * * * *',
  create(o, { env, brand }) {
    const base = o.base_url ?? 'https://androidpublisher.googleapis.com';
    const google = googleApi(env, { ...o, scope: 'https://www.googleapis.com/auth/androidpublisher' });
    const modified = (raw: unknown) => {
      const comments = (raw as { comments?: unknown })?.comments;
      const c = Array.isArray(comments)
        ? (comments as { userComment?: { lastModified?: z.infer<typeof Timestamp> } }[]).find((x) => x?.userComment)?.userComment?.lastModified
        : undefined;
      return timeOrNull(c ? playTime(c) : NaN);
    };
    return newestFirstPoll(o, 'google_play', {
      async fetchPage(next, _since, { http, clock }) {
        const params = new URLSearchParams({ maxResults: '100', ...(next ? { token: next } : {}) });
        const body = await google.json(
          http,
          clock.now(),
          `${base}/androidpublisher/v3/applications/${encodeURIComponent(o.package_name)}/reviews?${params}`,
          z.object({ reviews: z.array(z.unknown()).default([]), tokenPagination: z.object({ nextPageToken: z.string().optional() }).optional() }),
        );
        return { items: body.reviews, next: body.tokenPagination?.nextPageToken ?? null };
      },
      timeOf: modified,
      normalise: (raw) => {
        const r = itemOrUnusable(PlayReview, raw, 'Google Play review');
        if (isUnusable(r)) return r;
        const user = r.comments.find((c) => c.userComment)?.userComment;
        if (!user) return { reason: 'Google Play review has no userComment', payload: raw };
        const review: Mention = {
          id: r.reviewId,
          source: 'google_play',
          text: user.text.trim(),
          created_at: new Date(playTime(user.lastModified)).toISOString(),
          author: { id: r.authorName || 'anonymous', handle: r.authorName || 'anonymous' },
          rating: user.starRating,
          ...(user.reviewerLanguage ? { lang: user.reviewerLanguage.split(/[_-]/)[0] } : {}),
          url: `https://play.google.com/store/apps/details?id=${encodeURIComponent(o.package_name)}&reviewId=${encodeURIComponent(r.reviewId)}`,
          engagement: { likes: user.thumbsUpCount ?? 0, shares: 0, replies: 0, views: 0 },
          metadata: { package: o.package_name, ...(user.appVersionName ? { app_version: user.appVersionName } : {}) },
        };
        const dev = r.comments.find((c) => c.developerComment)?.developerComment;
        return dev ? [review, brandReply(review, { text: dev.text, created_at: new Date(playTime(dev.lastModified)).toISOString() }, brand.id)] : [review];
      },
    });
  },
});

// Apple's public customer reviews feed: /{country}/rss/customerreviews/page={n}/id={app}/sortby=mostrecent/json
const Label = z.object({ label: z.string() });
const AppStoreEntry = z.object({
  id: Label,
  author: z.object({ name: Label, uri: Label.optional() }),
  updated: Label,
  title: Label,
  content: Label,
  'im:rating': Label,
  'im:version': Label.optional(),
  'im:voteSum': Label.optional(),
});

export const appStore = defineSource({
  type: 'appstore',
  source: 'appstore',
  summary: "Apple App Store customer reviews from Apple's public RSS feed (JSON, most recent first, 10 pages of 50).",
  options: z.object({
    type: z.literal('appstore'),
    app_id: z.string().regex(/^\d+$/, 'the numeric App Store id'),
    country: z
      .string()
      .regex(/^[a-z]{2}$/)
      .default('us'),
  }),
  secrets: () => [],
  owned: true,
  defaultSchedule: '*/30 * * * *',
  create(o) {
    const base = o.base_url ?? 'https://itunes.apple.com';
    return newestFirstPoll({ ...o, max_pages: Math.min(o.max_pages, 10) }, 'appstore', {
      async fetchPage(next, _since, { http }) {
        const page = Number(next ?? 1);
        const body = await http.json(
          `${base}/${o.country}/rss/customerreviews/page=${page}/id=${o.app_id}/sortby=mostrecent/json`,
          z.object({ feed: z.object({ entry: z.union([z.array(z.unknown()), z.unknown()]).optional() }) }),
        );
        const entry = body.feed.entry;
        // One review comes as an object, none as no key at all; the app's own entry has no rating.
        const items = (entry === undefined ? [] : Array.isArray(entry) ? entry : [entry]).filter(
          (e) => (e as Record<string, unknown>)?.['im:rating'] !== undefined,
        );
        return { items, next: items.length > 0 && page < 10 ? String(page + 1) : null };
      },
      timeOf: timeField('updated', 'label'),
      normalise: (raw) => {
        const e = itemOrUnusable(AppStoreEntry, raw, 'App Store review');
        if (isUnusable(e)) return e;
        const rating = Number(e['im:rating'].label);
        const authorId = /id(\d+)/.exec(e.author.uri?.label ?? '')?.[1] ?? e.author.name.label;
        return [
          {
            id: e.id.label,
            source: 'appstore',
            text: e.content.label,
            title: e.title.label,
            created_at: new Date(Date.parse(e.updated.label)).toISOString(),
            author: { id: authorId, handle: e.author.name.label },
            url: `https://apps.apple.com/${o.country}/app/id${o.app_id}?see-all=reviews`,
            ...(rating >= 1 && rating <= 5 ? { rating } : {}),
            engagement: { likes: Math.max(0, Number(e['im:voteSum']?.label ?? 0) || 0), shares: 0, replies: 0, views: 0 },
            metadata: { app_id: o.app_id, country: o.country, ...(e['im:version'] ? { app_version: e['im:version'].label } : {}) },
          },
        ];
      },
    });
  },
});
