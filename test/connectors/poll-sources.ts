import { generateKeyPairSync, verify } from 'node:crypto';
import { expect } from 'vitest';
import type { Mention } from '@earshot/shared';
import { pageOf, type FakeRequest, type Reply } from './fake-api.js';
import { fakeBlueskyPds } from './fake-bluesky.js';

/** One raw item as the API would hold it, with the event time and number it was made from. */
export interface Held {
  n: number;
  t: number;
  raw: unknown;
}

/**
 * A poll source, its fake API answering in the shape of the public documentation, and
 * what a user should see on the raw topic for each item.
 */
export interface PollCase {
  type: string;
  /** The brand's query (default "acme"). */
  brandQuery?: string;
  env?: Record<string, string>;
  options(base: string): Record<string, unknown>;
  item(n: number, t: number): unknown;
  /** A documented-looking item with a field broken. */
  broken(n: number, t: number): unknown;
  id(n: number, t: number): string;
  /** Answers as the service would at `now` (the test's clock). */
  route(req: FakeRequest, held: Held[], now: number): Reply;
  /** Checks of the normalised mention made from item n. */
  check(m: Mention, n: number, t: number): void;
  /** Malformed answer for the whole call. */
  garbage?: Reply;
  /** Items per page the connector asks for; absent for sources read as one document (RSS). */
  pageSize?: number;
  /** Time between items of a burst (default 10 ms); sources that only know seconds need more. */
  burstSpacingMs?: number;
}

const iso = (t: number) => new Date(t).toISOString();
const newestFirst = (held: Held[]) => [...held].sort((a, b) => b.t - a.t);
const token = (req: FakeRequest, expected: string) => {
  if (req.headers.authorization !== expected) throw new Error(`wrong authorization: ${req.headers.authorization}`);
};
/** An X post id made at `t` (ids are snowflakes: milliseconds since X's epoch in the top bits). */
export const xId = (n: number, t: number) => String(((BigInt(t) - 1_288_834_974_657n) << 22n) + BigInt(n));
const snowflakeTime = (id: string) => Number(BigInt(id) >> 22n) + 1_288_834_974_657;
const invalidRequest = (parameter: string, value: string, message: string): Reply => ({
  status: 400,
  json: {
    errors: [{ parameters: { [parameter]: [value] }, message: `Invalid '${parameter}':'${value}'. ${message}` }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  },
});
export const REDDIT_UA = 'server:com.example.earshot:1.0 (by /u/earshot_test)';
/**
 * Reddit (https://github.com/reddit-archive/reddit/wiki/API): every call, the token call too,
 * must carry "<platform>:<app id>:<version> (by /u/<username>)"; generic agents are throttled.
 */
export const redditUserAgent = (req: FakeRequest): Reply | null =>
  /^\S+:\S+:\S+ \(by \/u\/[\w-]+\)$/.test(req.headers['user-agent'] ?? '')
    ? null
    : { status: 429, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '600' }, json: { message: 'Too Many Requests', error: 429 } };
const gdeltTime = (t: number) =>
  new Date(t)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const fromGdelt = (s: string) => Date.parse(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}Z`);
/**
 * GDELT DOC 2.0 (https://blog.gdeltproject.org/gdelt-doc-2-0-api-debuts/): ArtList, newest
 * first (sort=DateDesc), at most `maxrecords` (250) a call, no paging token, bounded by
 * STARTDATETIME/ENDDATETIME; errors are text in a 200. GDELT updates every 15 minutes, and
 * an article's `seendate` is the update that first saw it. The query takes `sourcelang:`,
 * `sourcecountry:` (no spaces) and `domainis:`, each negated by a leading "-".
 */
export const GDELT_UPDATE_MS = 15 * 60_000;
const GDELT_LANGS = ['English', 'Spanish', 'French'];
const GDELT_COUNTRIES = ['United States', 'United Kingdom'];
export const gdeltUrl = (n: number) => `https://news${n % 4}.example.com/acme-${n}`;
export const gdeltArticle = (n: number, t: number, over: Partial<Record<'language' | 'sourcecountry' | 'domain', string>> = {}) => {
  const domain = over.domain ?? `news${n % 4}.example.com`;
  return {
    url: over.domain ? `https://${domain}/acme-${n}` : gdeltUrl(n),
    url_mobile: '',
    title: `Acme recalls widget ${n}`,
    seendate: gdeltTime(Math.floor(t / GDELT_UPDATE_MS) * GDELT_UPDATE_MS),
    socialimage: '',
    domain,
    language: over.language ?? GDELT_LANGS[n % 3]!,
    sourcecountry: over.sourcecountry ?? GDELT_COUNTRIES[Math.floor(n / 3) % 2]!,
  };
};
const gdeltOperand: Record<string, (a: Record<string, string>) => string> = {
  sourcelang: (a) => (a.language ?? '').toLowerCase().replace(/\s+/g, ''),
  sourcecountry: (a) => (a.sourcecountry ?? '').toLowerCase().replace(/[^a-z]/g, ''),
  domainis: (a) => (a.domain ?? '').toLowerCase(),
};
export function gdeltRoute(req: FakeRequest, held: Held[]): Reply {
  if (req.path !== '/api/v2/doc/doc') return { status: 404, text: 'not found' };
  const query = req.query.get('query') ?? '';
  if (query.replace(/"/g, '').length < 3) return { text: 'The specified phrase is too short.' };
  if (req.query.get('sort') !== 'DateDesc' || Number(req.query.get('maxrecords')) > 250) return { text: 'Invalid sort or maxrecords.' };
  const clauses = [...query.matchAll(/(^|\s)(-?)(sourcelang|sourcecountry|domainis):(\S+)/g)].map((m) => ({ not: m[2] === '-', op: m[3]!, value: m[4]! }));
  const from = fromGdelt(req.query.get('startdatetime')!);
  const to = fromGdelt(req.query.get('enddatetime')!);
  const hits = newestFirst(held)
    .filter((h) => {
      const a = h.raw as Record<string, string>;
      // The contract's malformed item has a seendate nobody can place: served in every window.
      const seen = fromGdelt(String(a.seendate).replace('T', '').replace('Z', ''));
      return (Number.isNaN(seen) || (seen >= from && seen <= to)) && clauses.every((c) => (gdeltOperand[c.op]!(a) === c.value) !== c.not);
    })
    .slice(0, Number(req.query.get('maxrecords')));
  return hits.length ? { json: { articles: hits.map((h) => h.raw) } } : { text: '' };
}
/**
 * A Mastodon status id made at `t`: a snowflake, milliseconds since the epoch shifted left
 * 16 bits over a sequence (mastodon/mastodon lib/mastodon/snowflake.rb). A status the
 * instance fetched late (a boosted original) gets one from its original publish time.
 */
export const mastodonId = (n: number, t: number) => String((BigInt(t) << 16n) | BigInt(n % 65_536));
/** A post's sortAt: the earlier of its record's createdAt and indexedAt (NaN where neither reads). */
export const blueskySortAt = (raw: unknown) => {
  const p = raw as { indexedAt?: string; record?: { createdAt?: string } };
  return Math.min(Date.parse(p.indexedAt ?? ''), Date.parse(p.record?.createdAt ?? '')) || Date.parse(p.indexedAt ?? '');
};
let bskyUrl = '';
const bskyPds = fakeBlueskyPds({ url: () => bskyUrl, identifier: 'earshot.bsky.social', password: 'app-pass' });
const oauthToken: Reply = { json: { access_token: 'tok', token_type: 'bearer', expires_in: 3600, scope: '*' } };

/**
 * GitHub search qualifiers the connectors send: `created:>=T` or `created:A..B`, `is:issue`
 * (https://docs.github.com/en/search-github/searching-on-github/searching-issues-and-pull-requests).
 */
const githubCreated = (q: string) => {
  const from = /created:>=(\S+)/.exec(q)?.[1] ?? /created:(\S+)\.\./.exec(q)?.[1];
  const to = /created:\S+\.\.(\S+)/.exec(q)?.[1];
  return { from: from ? Date.parse(from) : 0, to: to ? Date.parse(to) : Infinity };
};
const inSeconds = (t: number) => Math.floor(t / 1000) * 1000;

/** An App Store Connect API key as Apple issues it: an EC P-256 key (.p8), its id and the team's issuer id. */
export const ascKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
export const ASC_ENV = {
  EARSHOT_ASC_ISSUER_ID: '57246542-96fe-1a63-e053-0824d011072a',
  EARSHOT_ASC_KEY_ID: '2X9R4HXF34',
  EARSHOT_ASC_PRIVATE_KEY: ascKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};
/**
 * Apple's check of the bearer token (https://developer.apple.com/documentation/appstoreconnectapi/generating-tokens-for-api-requests):
 * ES256 by the key `kid`, issuer, audience "appstoreconnect-v1", not expired, lifetime at most 20 minutes.
 */
export const ascRefusal = (req: FakeRequest, now: number): Reply | null => {
  const refuse: Reply = {
    status: 401,
    json: {
      errors: [
        {
          status: '401',
          code: 'NOT_AUTHORIZED',
          title: 'Authentication credentials are missing or invalid.',
          detail:
            'Provide a properly configured and signed bearer token, and make sure that it has not expired. Learn more about Generating Tokens for API Requests https://developer.apple.com/go/?id=api-generating-tokens',
        },
      ],
    },
  };
  const [h, c, sig] = (req.headers.authorization ?? '').replace(/^Bearer /, '').split('.');
  if (!h || !c || !sig) return refuse;
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>;
  const claims = JSON.parse(Buffer.from(c, 'base64url').toString()) as Record<string, number | string>;
  const signed = verify('sha256', Buffer.from(`${h}.${c}`), { key: ascKey.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(sig, 'base64url'));
  const nowS = now / 1000;
  const ok =
    signed &&
    header.alg === 'ES256' &&
    header.kid === ASC_ENV.EARSHOT_ASC_KEY_ID &&
    claims.iss === ASC_ENV.EARSHOT_ASC_ISSUER_ID &&
    claims.aud === 'appstoreconnect-v1' &&
    Number(claims.exp) > nowS &&
    Number(claims.exp) - Number(claims.iat) <= 1200;
  return ok ? null : refuse;
};

/**
 * Instagram hashtag search (https://developers.facebook.com/docs/instagram-platform/instagram-api-with-facebook-login/hashtag-search
 * and its ig-hashtag/recent-media reference): GET /ig_hashtag_search?user_id=&q= gives the
 * hashtag's id; GET /{id}/recent_media?user_id=&fields= the media of the last 24 hours, at
 * most 50 a page, paged by `paging.cursors.after`, with `paging.next` left out on the last
 * page; errors are Graph errors (190 for a bad token, 100 for a bad parameter).
 */
const igHashtagIds = new Map<string, string>();
/** The fake's id for a hashtag (Instagram's are static and global); any hashtag but "nosuchtag" exists. */
export const igHashtagId = (tag: string) => {
  if (!igHashtagIds.has(tag)) igHashtagIds.set(tag, String(17843853986012965n + BigInt(igHashtagIds.size)));
  return igHashtagIds.get(tag)!;
};
export function instagramHashtagRoute(req: FakeRequest, held: Held[], now: number): Reply {
  const graphError = (code: number, message: string): Reply => ({ status: 400, json: { error: { message, type: 'OAuthException', code, fbtrace_id: 'x' } } });
  if (req.query.get('access_token') !== 'IGQ_test') return graphError(190, 'Invalid OAuth access token - Cannot parse access token');
  if (!req.query.get('user_id')) return graphError(100, 'The parameter user_id is required');
  if (req.path === '/v25.0/ig_hashtag_search') {
    const q = req.query.get('q') ?? '';
    return { json: { data: q && q !== 'nosuchtag' ? [{ id: igHashtagId(q) }] : [] } };
  }
  const tag = [...igHashtagIds].find(([, id]) => req.path === `/v25.0/${id}/recent_media`)?.[0];
  if (!tag) return { status: 400, json: { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500, fbtrace_id: 'x' } } };
  const limit = Math.min(Number(req.query.get('limit') ?? 25), 50);
  const tagged = newestFirst(held).filter(
    (h) => now - h.t <= 24 * 3_600_000 && new RegExp(`#${tag}(?![\\p{L}\\p{N}_])`, 'iu').test((h.raw as { caption?: string }).caption ?? ''),
  );
  const offset = req.query.has('after') ? Number(Buffer.from(req.query.get('after')!, 'base64').toString()) : 0;
  const { page, next } = pageOf(tagged, offset, limit);
  const after = Buffer.from(String(next ?? offset + limit)).toString('base64');
  return {
    json: {
      data: page.map((h) => h.raw),
      paging: { cursors: { after }, ...(next !== null ? { next: `http://graph.example/v25.0/${igHashtagId(tag)}/recent_media?after=${after}` } : {}) },
    },
  };
}

export const POLL_CASES: PollCase[] = [
  {
    type: 'hackernews',
    pageSize: 100,
    options: (base) => ({ query: 'acme', base_url: base }),
    item: (n, t) => ({
      objectID: String(1000 + n),
      created_at: iso(t),
      created_at_i: Math.floor(t / 1000),
      author: `hn${n}`,
      comment_text: `<p>Acme &amp; co #${n}</p>`,
      story_title: 'Ask HN: Acme?',
      points: null,
      parent_id: 999,
      story_id: 999,
      _tags: ['comment'],
    }),
    broken: (n, t) => ({ objectID: String(1000 + n), created_at_i: String(t) }),
    id: (n) => String(1000 + n),
    route(req, held) {
      const since = Number(/created_at_i>=(\d+)/.exec(req.query.get('numericFilters') ?? '')?.[1] ?? 0);
      const hits = newestFirst(held).filter((h) => h.t / 1000 >= since);
      const page = Number(req.query.get('page') ?? 0);
      const size = Number(req.query.get('hitsPerPage'));
      return {
        json: {
          hits: hits.slice(page * size, page * size + size).map((h) => h.raw),
          nbHits: hits.length,
          page,
          nbPages: Math.ceil(hits.length / size),
          hitsPerPage: size,
          query: req.query.get('query'),
        },
      };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'hackernews',
        text: `Acme & co #${n}`,
        title: 'Ask HN: Acme?',
        in_reply_to: '999',
        url: `https://news.ycombinator.com/item?id=${1000 + n}`,
        author: { handle: `hn${n}` },
      });
    },
  },
  {
    type: 'reddit',
    pageSize: 100,
    env: { EARSHOT_REDDIT_CLIENT_ID: 'id', EARSHOT_REDDIT_CLIENT_SECRET: 'secret' },
    options: (base) => ({ query: 'acme', base_url: base, auth_url: base, user_agent: REDDIT_UA }),
    item: (n, t) => ({
      kind: 't3',
      data: {
        id: `p${n}`,
        name: `t3_p${n}`,
        title: `Acme outage ${n}?`,
        selftext: n % 2 ? '' : `Is Acme down for anyone? ${n}`,
        author: `r${n}`,
        author_fullname: `t2_r${n}`,
        created_utc: t / 1000,
        permalink: `/r/acme/comments/p${n}/x/`,
        subreddit: 'acme',
        score: n,
        num_comments: 2,
        url: 'https://example.com',
      },
    }),
    broken: (n) => ({ kind: 't3', data: { id: `p${n}`, name: `t3_p${n}` } }),
    id: (n) => `t3_p${n}`,
    route(req, held) {
      const throttled = redditUserAgent(req);
      if (throttled) return throttled;
      if (req.path === '/api/v1/access_token') {
        token(req, `Basic ${Buffer.from('id:secret').toString('base64')}`);
        return oauthToken;
      }
      token(req, 'Bearer tok');
      // https://www.reddit.com/dev/api#GET_api_info : the things named by fullname, as they are now.
      if (req.path === '/api/info') {
        const ids = new Set((req.query.get('id') ?? '').split(','));
        const things = held.filter((h) => ids.has((h.raw as { data: { name: string } }).data.name)).map((h) => h.raw);
        return { json: { kind: 'Listing', data: { after: null, dist: things.length, children: things, before: null } } };
      }
      const all = newestFirst(held);
      const after = req.query.get('after');
      const start = after ? all.findIndex((h) => (h.raw as { data: { name: string } }).data.name === after) + 1 : 0;
      const { page, next } = pageOf(all, start, Number(req.query.get('limit')));
      return {
        json: {
          kind: 'Listing',
          data: {
            after: next === null ? null : (page.at(-1)!.raw as { data: { name: string } }).data.name,
            dist: page.length,
            children: page.map((h) => h.raw),
            before: null,
          },
        },
      };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'reddit',
        title: `Acme outage ${n}?`,
        author: { id: `t2_r${n}`, handle: `r${n}` },
        url: `https://www.reddit.com/r/acme/comments/p${n}/x/`,
        engagement: { likes: n, replies: 2 },
      });
      expect(m.text).toBe(n % 2 ? `Acme outage ${n}?` : `Is Acme down for anyone? ${n}`);
    },
  },
  {
    type: 'x_search',
    pageSize: 100,
    brandQuery: '@acme',
    env: { EARSHOT_X_BEARER_TOKEN: 'xt' },
    options: (base) => ({ query: 'acme -is:retweet', base_url: base }),
    item: (n, t) => ({
      id: xId(n, t),
      text: `@acme help ${n}`,
      created_at: iso(t),
      author_id: `u${n % 5}`,
      lang: 'en',
      conversation_id: '1',
      edit_history_tweet_ids: [],
      public_metrics: { retweet_count: 1, reply_count: 2, like_count: n, quote_count: 1, bookmark_count: 0, impression_count: 50 },
      referenced_tweets: n % 3 ? undefined : [{ type: 'replied_to', id: '1799' }],
    }),
    broken: (n, t) => ({ id: xId(n, t), text: 42 }),
    id: (n, t) => xId(n, t),
    // https://docs.x.com/x-api/posts/search-recent-posts : newest first, `next_token` pages,
    // `since_id`/`until_id`/`start_time`; only the last 7 days are searchable, and a bound
    // older than that is a 400 "Invalid Request" with the parameter named in `errors[]`.
    route(req, held, now) {
      token(req, 'Bearer xt');
      const sinceId = req.query.get('since_id');
      const untilId = req.query.get('until_id');
      const startTime = Date.parse(req.query.get('start_time') ?? iso(now - 7 * 24 * 3_600_000));
      const reach = now - 7 * 24 * 3_600_000;
      if (sinceId && snowflakeTime(sinceId) < reach) return invalidRequest('since_id', sinceId, `'since_id' must be a tweet id created after ${iso(reach)}.`);
      if (startTime < reach) return invalidRequest('start_time', req.query.get('start_time')!, `'start_time' must be on or after ${iso(reach)}.`);
      const idOf = (h: Held) => BigInt((h.raw as { id: string }).id);
      const all = newestFirst(held).filter(
        (h) => (sinceId ? idOf(h) > BigInt(sinceId) : h.t >= startTime) && (!untilId || idOf(h) < BigInt(untilId)) && h.t <= now,
      );
      const { page, next } = pageOf(all, Number(req.query.get('next_token') ?? 0), Number(req.query.get('max_results')));
      if (page.length === 0) return { json: { meta: { result_count: 0 } } };
      const users = [0, 1, 2, 3, 4].map((u) => ({
        id: `u${u}`,
        username: `user${u}`,
        name: `User ${u}`,
        public_metrics: { followers_count: 100 * u, following_count: 1, tweet_count: 1, listed_count: 0 },
      }));
      return {
        json: {
          data: page.map((h) => h.raw),
          includes: { users },
          meta: {
            newest_id: String(idOf(page[0]!)),
            oldest_id: String(idOf(page.at(-1)!)),
            result_count: page.length,
            ...(next !== null ? { next_token: String(next) } : {}),
          },
        },
      };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'twitter',
        text: `@acme help ${n}`,
        lang: 'en',
        author: { id: `u${n % 5}`, handle: `user${n % 5}`, followers: 100 * (n % 5) },
        engagement: { likes: n, shares: 2, replies: 2, views: 50 },
      });
      expect(m.in_reply_to).toBe(n % 3 ? undefined : '1799');
    },
  },
  {
    type: 'mastodon',
    pageSize: 40,
    brandQuery: '#acme',
    options: (base) => ({ instance: 'https://mastodon.example', hashtag: 'acme', base_url: base }),
    item: (n, t) => ({
      id: mastodonId(n, t),
      uri: `https://mastodon.example/users/m${n}/statuses/${n}`,
      url: `https://mastodon.example/@m${n}/${n}`,
      created_at: iso(t),
      content: `<p>Loving <a href="#">#acme</a> today ${n}</p>`,
      spoiler_text: '',
      language: 'en',
      in_reply_to_id: null,
      replies_count: 1,
      reblogs_count: 2,
      favourites_count: 3,
      visibility: 'public',
      account: { id: String(n), username: `m${n}`, acct: `m${n}@other.social`, display_name: `M ${n}`, followers_count: 10 },
    }),
    broken: (n, t) => ({ id: mastodonId(n, t), content: null }),
    id: (n, t) => `mastodon.example/${mastodonId(n, t)}`,
    route(req, held) {
      // https://docs.joinmastodon.org/entities/Instance/ (v2): Mastodon 4.5 adds timelines_access.
      if (req.path === '/api/v2/instance')
        return {
          json: {
            domain: 'mastodon.example',
            version: '4.5.0',
            configuration: {
              urls: { streaming: 'wss://streaming.mastodon.example' },
              timelines_access: {
                live_feeds: { local: 'public', remote: 'public' },
                hashtag_feeds: { local: 'public', remote: 'public' },
                trending_link_feeds: { local: 'public', remote: 'public' },
              },
            },
          },
        };
      if (req.path !== '/api/v1/timelines/tag/acme') throw new Error(`unexpected ${req.path}`);
      const idOf = (h: Held) => BigInt((h.raw as { id: string }).id);
      const limit = Number(req.query.get('limit'));
      const minId = req.query.get('min_id');
      // min_id: the statuses just after it (oldest of the newer ones), newest first within the
      // page; ids compare as numbers, whether or not a status has that id.
      const maxId = req.query.get('max_id');
      const page = minId
        ? [...held]
            .filter((h) => idOf(h) > BigInt(minId))
            .sort((a, b) => (idOf(a) < idOf(b) ? -1 : 1))
            .slice(0, limit)
            .reverse()
        : newestFirst(held)
            .filter((h) => !maxId || idOf(h) < BigInt(maxId))
            .slice(0, limit);
      return { json: page.map((h) => h.raw) };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'mastodon',
        text: `Loving #acme today ${n}`,
        author: { handle: `m${n}@other.social`, followers: 10 },
        engagement: { likes: 3, shares: 2, replies: 1 },
        url: `https://mastodon.example/@m${n}/${n}`,
      });
    },
  },
  {
    type: 'bluesky',
    pageSize: 100,
    env: { EARSHOT_BLUESKY_IDENTIFIER: 'earshot.bsky.social', EARSHOT_BLUESKY_APP_PASSWORD: 'app-pass' },
    options: (base) => ({ query: 'acme', auth_url: (bskyUrl = base) }),
    item: (n, t) => ({
      uri: `at://did:plc:u${n}/app.bsky.feed.post/3k${n}`,
      cid: 'bafy',
      author: { did: `did:plc:u${n}`, handle: `u${n}.bsky.social`, displayName: `U${n}` },
      record: { $type: 'app.bsky.feed.post', text: `acme is great ${n}`, createdAt: iso(t - 2000), langs: ['en'] },
      replyCount: 1,
      repostCount: 2,
      likeCount: 3,
      quoteCount: 4,
      indexedAt: iso(t),
    }),
    broken: (n, t) => ({ uri: `at://did:plc:u${n}/app.bsky.feed.post/3k${n}`, record: { createdAt: iso(t) }, indexedAt: iso(t) }),
    id: (n) => `at://did:plc:u${n}/app.bsky.feed.post/3k${n}`,
    // https://docs.bsky.app/docs/api/app-bsky-feed-search-posts : `since` and the order are by
    // sortAt, the earlier of createdAt and indexedAt (docs.bsky.app/docs/advanced-guides/timestamps).
    route(req, held, now) {
      const session = bskyPds.route(req, now);
      if (session) return session;
      const since = Date.parse(req.query.get('since') ?? '1970-01-01T00:00:00Z');
      const all = held
        .map((h) => ({ h, at: blueskySortAt(h.raw) }))
        .filter((x) => Number.isNaN(x.at) || x.at >= since)
        .sort((a, b) => b.at - a.at)
        .map((x) => x.h);
      const { page, next } = pageOf(all, Number(req.query.get('cursor') ?? 0), Number(req.query.get('limit')));
      return {
        json: { posts: page.map((h) => h.raw), ...(next !== null ? { cursor: String(next) } : {}), hitsTotal: all.length },
        headers: { 'ratelimit-limit': '3000', 'ratelimit-remaining': '2999', 'ratelimit-reset': String(Math.floor(now / 1000) + 300) },
      };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'bluesky',
        text: `acme is great ${n}`,
        lang: 'en',
        author: { id: `did:plc:u${n}`, handle: `u${n}.bsky.social` },
        url: `https://bsky.app/profile/u${n}.bsky.social/post/3k${n}`,
        engagement: { likes: 3, shares: 6, replies: 1 },
      });
    },
  },
  {
    type: 'threads',
    pageSize: 100,
    burstSpacingMs: 1000,
    env: { EARSHOT_THREADS_TOKEN: 'THQVJ_test' },
    options: (base) => ({ query: 'acme', base_url: base }),
    item: (n, t) => ({
      id: `1798${n}`,
      text: `acme support never answers ${n}`,
      media_type: 'TEXT_POST',
      permalink: `https://www.threads.net/@user${n}/post/C${n}`,
      timestamp: new Date(inSeconds(t)).toISOString().replace('.000Z', '+0000'),
      username: `user${n}`,
      has_replies: false,
      is_quote_post: n % 5 === 0,
      is_reply: false,
    }),
    broken: (n) => ({ id: `1798${n}`, text: 'acme', timestamp: 'yesterday', username: 'u' }),
    id: (n) => `1798${n}`,
    // https://developers.facebook.com/docs/threads/keyword-search : q, search_type, since/until
    // in Unix seconds, limit; a bad token is Graph error 190 (OAuthException) with a 400.
    route(req, held) {
      if (req.path !== '/v1.0/keyword_search')
        return { status: 400, json: { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500, fbtrace_id: 'x' } } };
      if (req.query.get('access_token') !== 'THQVJ_test')
        return {
          status: 400,
          json: { error: { message: 'Invalid OAuth access token - Cannot parse access token', type: 'OAuthException', code: 190, fbtrace_id: 'x' } },
        };
      if (req.query.get('search_type') !== 'RECENT' || Number(req.query.get('limit')) > 100)
        return { status: 400, json: { error: { message: 'Invalid parameter', type: 'THApiException', code: 100, fbtrace_id: 'x' } } };
      const since = Number(req.query.get('since') ?? 0) * 1000;
      const until = req.query.has('until') ? Number(req.query.get('until')) * 1000 : Infinity;
      const hits = newestFirst(held).filter((h) => inSeconds(h.t) >= since && inSeconds(h.t) <= until);
      return { json: { data: hits.slice(0, Number(req.query.get('limit'))).map((h) => h.raw) } };
    },
    check(m, n, t) {
      expect(m).toMatchObject({
        source: 'threads',
        text: `acme support never answers ${n}`,
        author: { id: `user${n}`, handle: `user${n}` },
        url: `https://www.threads.net/@user${n}/post/C${n}`,
        created_at: iso(inSeconds(t)),
      });
    },
  },
  {
    type: 'instagram_hashtags',
    pageSize: 50,
    burstSpacingMs: 1000,
    env: { EARSHOT_INSTAGRAM_TOKEN: 'IGQ_test' },
    options: (base) => ({ user_id: '17841405309211844', hashtags: ['acme'], base_url: base }),
    item: (n, t) => ({
      id: `1789${n}`,
      caption: `#acme my order never came ${n}`,
      media_type: n % 2 ? 'IMAGE' : 'VIDEO',
      permalink: `https://www.instagram.com/p/C${n}/`,
      timestamp: new Date(inSeconds(t)).toISOString().replace('.000Z', '+0000'),
      like_count: n,
      comments_count: 2,
    }),
    broken: (n) => ({ id: `1789${n}`, caption: '#acme', timestamp: 'yesterday' }),
    id: (n) => `1789${n}`,
    route: instagramHashtagRoute,
    check(m, n, t) {
      expect(m).toMatchObject({
        source: 'instagram',
        text: `#acme my order never came ${n}`,
        url: `https://www.instagram.com/p/C${n}/`,
        created_at: iso(inSeconds(t)),
        author: { handle: 'unknown' },
        engagement: { likes: n, replies: 2 },
        metadata: { hashtag: 'acme', author_hidden: true },
      });
    },
  },
  {
    type: 'youtube',
    pageSize: 100,
    env: { EARSHOT_YOUTUBE_API_KEY: 'yk' },
    options: (base) => ({ video_id: 'vid1', base_url: base }),
    item: (n, t) => ({
      kind: 'youtube#commentThread',
      etag: 'e',
      id: `th${n}`,
      snippet: {
        channelId: 'UC1',
        videoId: 'vid1',
        totalReplyCount: 0,
        canReply: true,
        isPublic: true,
        topLevelComment: {
          kind: 'youtube#comment',
          etag: 'e',
          id: `c${n}`,
          snippet: {
            channelId: 'UC1',
            videoId: 'vid1',
            textDisplay: `nice ${n}`,
            textOriginal: `nice ${n}`,
            authorDisplayName: `@viewer${n}`,
            authorChannelId: { value: `UCv${n}` },
            likeCount: n,
            publishedAt: iso(t),
            updatedAt: iso(t),
            canRate: true,
            viewerRating: 'none',
          },
        },
      },
    }),
    broken: (n) => ({ kind: 'youtube#commentThread', id: `th${n}`, snippet: {} }),
    id: (n) => `c${n}`,
    // https://developers.google.com/youtube/v3/docs/commentThreads/list (also by `id`) and
    // /docs/comments/list (`parentId` for replies; these threads have none).
    route(req, held) {
      if (req.query.get('key') !== 'yk') return { status: 400, json: { error: { code: 400, message: 'API key not valid.' } } };
      if (req.path === '/youtube/v3/comments') return { json: { kind: 'youtube#commentListResponse', etag: 'e', items: [] } };
      if (req.path !== '/youtube/v3/commentThreads') return { status: 404, json: { error: { code: 404, message: 'Not Found' } } };
      if (req.query.has('id')) {
        const ids = req.query.get('id')!.split(',');
        return { json: { kind: 'youtube#commentThreadListResponse', etag: 'e', items: held.filter((h) => ids.includes(`th${h.n}`)).map((h) => h.raw) } };
      }
      const { page, next } = pageOf(newestFirst(held), Number(req.query.get('pageToken') ?? 0), Number(req.query.get('maxResults')));
      return {
        json: {
          kind: 'youtube#commentThreadListResponse',
          etag: 'e',
          pageInfo: { totalResults: page.length, resultsPerPage: 100 },
          items: page.map((h) => h.raw),
          ...(next !== null ? { nextPageToken: String(next) } : {}),
        },
      };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'youtube',
        text: `nice ${n}`,
        author: { id: `UCv${n}`, handle: `@viewer${n}` },
        url: `https://www.youtube.com/watch?v=vid1&lc=c${n}`,
        engagement: { likes: n, replies: 0 },
      });
    },
  },
  {
    type: 'youtube_search',
    pageSize: 50,
    burstSpacingMs: 1000,
    env: { EARSHOT_YOUTUBE_API_KEY: 'yk' },
    options: (base) => ({ query: 'acme', base_url: base }),
    item: (n, t) => ({
      kind: 'youtube#searchResult',
      etag: 'e',
      id: { kind: 'youtube#video', videoId: `v${n}` },
      snippet: {
        publishedAt: new Date(inSeconds(t)).toISOString().replace('.000Z', 'Z'),
        channelId: `UC${n % 3}`,
        title: `Acme unboxing &amp; review ${n}`,
        description: n % 2 ? `Is the acme worth it? ${n}` : '',
        thumbnails: {},
        channelTitle: `Channel ${n % 3}`,
        liveBroadcastContent: 'none',
        publishTime: iso(t),
      },
    }),
    broken: (n) => ({ kind: 'youtube#searchResult', id: { kind: 'youtube#video', videoId: `v${n}` }, snippet: { title: 'acme' } }),
    id: (n) => `v${n}`,
    // https://developers.google.com/youtube/v3/docs/search/list : order=date, publishedAfter
    // (RFC 3339), maxResults up to 50, pageToken; a wrong key is a 400 keyInvalid.
    route(req, held) {
      if (req.path !== '/youtube/v3/search') return { status: 404, json: { error: { code: 404, message: 'Not Found' } } };
      if (req.query.get('key') !== 'yk')
        return {
          status: 400,
          json: {
            error: {
              code: 400,
              message: 'API key not valid. Please pass a valid API key.',
              errors: [{ message: 'API key not valid. Please pass a valid API key.', domain: 'global', reason: 'badRequest' }],
              status: 'INVALID_ARGUMENT',
            },
          },
        };
      if (req.query.get('type') !== 'video' || req.query.get('order') !== 'date' || Number(req.query.get('maxResults')) > 50)
        return { status: 400, json: { error: { code: 400, message: 'Invalid value', errors: [{ reason: 'invalidParameter' }] } } };
      const after = Date.parse(req.query.get('publishedAfter') ?? '');
      const hits = newestFirst(held).filter((h) => inSeconds(h.t) >= after);
      const { page, next } = pageOf(hits, Number(req.query.get('pageToken') ?? 0), Number(req.query.get('maxResults')));
      return {
        json: {
          kind: 'youtube#searchListResponse',
          etag: 'e',
          regionCode: 'US',
          pageInfo: { totalResults: hits.length, resultsPerPage: 50 },
          items: page.map((h) => h.raw),
          ...(next !== null ? { nextPageToken: String(next) } : {}),
        },
      };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'youtube',
        title: `Acme unboxing & review ${n}`,
        text: n % 2 ? `Acme unboxing & review ${n}\n\nIs the acme worth it? ${n}` : `Acme unboxing & review ${n}`,
        url: `https://www.youtube.com/watch?v=v${n}`,
        author: { id: `UC${n % 3}`, handle: `Channel ${n % 3}` },
      });
    },
  },
  {
    type: 'trustpilot',
    pageSize: 100,
    env: { EARSHOT_TRUSTPILOT_API_KEY: 'tk' },
    options: (base) => ({ business_unit_id: 'bu1', base_url: base }),
    item: (n, t) => ({
      id: `tp${n}`,
      consumer: { id: `c${n}`, displayName: `Reviewer ${n}`, numberOfReviews: 1 },
      businessUnitId: 'bu1',
      stars: (n % 5) + 1,
      title: `Title ${n}`,
      text: `Review text ${n}`,
      language: 'en',
      createdAt: iso(t),
      ...(n % 4 === 0 ? { companyReply: { text: `Sorry to hear that ${n}`, createdAt: iso(t + 60_000) } } : {}),
      links: [],
    }),
    broken: (n, t) => ({ id: `tp${n}`, consumer: { displayName: 'x' }, stars: 9, text: 'x', createdAt: iso(t) }),
    id: (n) => `tp${n}`,
    route(req, held) {
      if (req.headers.apikey !== 'tk') return { status: 401, json: { fault: { faultstring: 'Invalid ApiKey' } } };
      const per = Number(req.query.get('perPage'));
      const page = Number(req.query.get('page'));
      const { page: items } = pageOf(newestFirst(held), (page - 1) * per, per);
      return { json: { reviews: items.map((h) => h.raw), links: [] } };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'trustpilot',
        text: `Review text ${n}`,
        title: `Title ${n}`,
        rating: (n % 5) + 1,
        author: { handle: `Reviewer ${n}` },
        brands: ['acme'],
      });
    },
  },
  {
    type: 'yelp',
    pageSize: 20,
    env: { EARSHOT_YELP_API_KEY: 'yk' },
    options: (base) => ({ business_id: 'biz', base_url: base }),
    item: (n, t) => {
      // Yelp's time_created is local wall time of the business, 'YYYY-MM-DD HH:MM:SS' (the Swedish locale writes exactly that).
      const local = new Date(t).toLocaleString('sv-SE', { timeZone: 'America/Los_Angeles', hourCycle: 'h23' });
      return {
        id: `y${n}`,
        url: `https://www.yelp.com/biz/biz?hrid=y${n}`,
        text: `Yelp excerpt ${n}...`,
        rating: (n % 5) + 1,
        time_created: local,
        user: { id: `yu${n}`, profile_url: 'https://www.yelp.com/user_details?userid=x', image_url: null, name: `Yelper ${n}.` },
      };
    },
    broken: (n) => ({ id: `y${n}`, text: 'x', rating: 3, time_created: 'yesterday', user: { id: 'u', name: 'n' } }),
    id: (n) => `y${n}`,
    route(req, held) {
      token(req, 'Bearer yk');
      const all = newestFirst(held);
      const { page } = pageOf(all, Number(req.query.get('offset') ?? 0), Number(req.query.get('limit')));
      return { json: { reviews: page.map((h) => h.raw), total: all.length, possible_languages: ['en'] } };
    },
    check(m, n, t) {
      expect(m).toMatchObject({ source: 'yelp', text: `Yelp excerpt ${n}...`, rating: (n % 5) + 1, created_at: iso(Math.floor(t / 1000) * 1000) });
    },
  },
  {
    type: 'google_business',
    pageSize: 50,
    env: { EARSHOT_GOOGLE_CLIENT_ID: 'gid', EARSHOT_GOOGLE_CLIENT_SECRET: 'gs', EARSHOT_GOOGLE_REFRESH_TOKEN: 'gr' },
    options: (base) => ({ account_id: 'a1', location_id: 'l1', base_url: base, token_url: `${base}/token` }),
    item: (n, t) => ({
      name: `accounts/a1/locations/l1/reviews/g${n}`,
      reviewId: `g${n}`,
      reviewer: { displayName: `G ${n}`, isAnonymous: false },
      starRating: ['ONE', 'TWO', 'THREE', 'FOUR', 'FIVE'][n % 5],
      comment: `Google review ${n}`,
      createTime: iso(t),
      updateTime: iso(t),
      ...(n % 3 === 0 ? { reviewReply: { comment: `Thanks ${n}`, updateTime: iso(t) } } : {}),
    }),
    broken: (n, t) => ({ reviewId: `g${n}`, starRating: 'SIX', createTime: iso(t), updateTime: iso(t), reviewer: {} }),
    id: (n) => `g${n}`,
    route(req, held) {
      if (req.path === '/token') {
        if (!req.body.includes('grant_type=refresh_token') || !req.body.includes('refresh_token=gr')) return { status: 400, json: { error: 'invalid_grant' } };
        return { json: { access_token: 'gat', expires_in: 3599, scope: 'https://www.googleapis.com/auth/business.manage', token_type: 'Bearer' } };
      }
      token(req, 'Bearer gat');
      const { page, next } = pageOf(newestFirst(held), Number(req.query.get('pageToken') ?? 0), Number(req.query.get('pageSize')));
      return {
        json: { reviews: page.map((h) => h.raw), averageRating: 4.1, totalReviewCount: held.length, ...(next !== null ? { nextPageToken: String(next) } : {}) },
      };
    },
    check(m, n) {
      expect(m).toMatchObject({ source: 'google_business', text: `Google review ${n}`, rating: (n % 5) + 1, author: { handle: `G ${n}` } });
    },
  },
  {
    type: 'google_play',
    pageSize: 100,
    env: { EARSHOT_GOOGLE_CLIENT_ID: 'gid', EARSHOT_GOOGLE_CLIENT_SECRET: 'gs', EARSHOT_GOOGLE_REFRESH_TOKEN: 'gr' },
    options: (base) => ({ package_name: 'com.acme.app', base_url: base, token_url: `${base}/token` }),
    item: (n, t) => ({
      reviewId: `gp${n}`,
      authorName: `Player ${n}`,
      comments: [
        {
          userComment: {
            text: `\tPlay review ${n}`,
            lastModified: { seconds: String(Math.floor(t / 1000)), nanos: 0 },
            starRating: (n % 5) + 1,
            reviewerLanguage: 'en_GB',
            device: 'x',
            androidOsVersion: 34,
            appVersionCode: 1,
            appVersionName: '1.2.3',
            thumbsUpCount: 2,
            thumbsDownCount: 0,
          },
        },
        ...(n % 2 ? [{ developerComment: { text: `We fixed it ${n}`, lastModified: { seconds: String(Math.floor(t / 1000) + 60), nanos: 0 } } }] : []),
      ],
    }),
    broken: (n) => ({ reviewId: `gp${n}`, comments: 'none' }),
    id: (n) => `gp${n}`,
    route(req, held) {
      if (req.path === '/token') return { json: { access_token: 'gat', expires_in: 3599, token_type: 'Bearer' } };
      token(req, 'Bearer gat');
      const { page, next } = pageOf(newestFirst(held), Number(req.query.get('token') ?? 0), Number(req.query.get('maxResults')));
      return {
        json: {
          reviews: page.map((h) => h.raw),
          ...(next !== null ? { tokenPagination: { nextPageToken: String(next) } } : {}),
          pageInfo: { totalResults: held.length },
        },
      };
    },
    check(m, n) {
      expect(m).toMatchObject({ source: 'google_play', text: `Play review ${n}`, rating: (n % 5) + 1, lang: 'en', engagement: { likes: 2 } });
    },
  },
  {
    type: 'appstore',
    pageSize: 50,
    options: (base) => ({ app_id: '284882215', country: 'gb', base_url: base }),
    item: (n, t) => ({
      author: { uri: { label: `https://itunes.apple.com/gb/reviews/id${5000 + n}` }, name: { label: `Apple user ${n}` }, label: '' },
      updated: { label: new Date(t - 7 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '-07:00') },
      'im:rating': { label: String((n % 5) + 1) },
      'im:version': { label: '9.1' },
      id: { label: `${70000 + n}` },
      title: { label: `Title ${n}` },
      content: { label: `App review ${n}`, attributes: { type: 'text' } },
      link: { attributes: { rel: 'related', href: 'https://itunes.apple.com/gb/review?id=1' } },
      'im:voteSum': { label: '1' },
      'im:contentType': { attributes: { term: 'Application', label: 'Application' } },
      'im:voteCount': { label: '1' },
    }),
    broken: (n) => ({ id: { label: `${70000 + n}` }, 'im:rating': { label: '3' }, content: {} }),
    id: (n) => `${70000 + n}`,
    route(req, held) {
      const m = /^\/gb\/rss\/customerreviews\/page=(\d+)\/id=284882215\/sortby=mostrecent\/json$/.exec(req.path);
      if (!m) return { status: 404, text: 'not found' };
      const { page } = pageOf(newestFirst(held), (Number(m[1]) - 1) * 50, 50);
      const feed: Record<string, unknown> = {
        author: { name: { label: 'iTunes Store' } },
        title: { label: 'iTunes Store: Customer Reviews' },
        id: { label: 'x' },
        link: [],
      };
      if (page.length === 1) feed.entry = page[0]!.raw;
      else if (page.length > 1) feed.entry = page.map((h) => h.raw);
      return { json: { feed } };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'appstore',
        text: `App review ${n}`,
        title: `Title ${n}`,
        rating: (n % 5) + 1,
        author: { id: String(5000 + n), handle: `Apple user ${n}` },
        brands: ['acme'],
      });
    },
  },
  {
    type: 'appstore_connect',
    pageSize: 200,
    env: ASC_ENV,
    options: (base) => ({ app_id: '1234567890', base_url: base }),
    item: (n, t) => ({
      type: 'customerReviews',
      id: `00000${n}-aaaa`,
      attributes: {
        rating: (n % 5) + 1,
        title: `Crashes ${n}`,
        body: `The acme app crashes at login ${n}`,
        reviewerNickname: `appuser${n}`,
        createdDate: new Date(t - 8 * 3_600_000).toISOString().replace('Z', '-08:00'),
        territory: n % 2 ? 'USA' : 'GBR',
      },
      relationships: { response: { links: {}, data: n % 3 === 0 ? { type: 'customerReviewResponses', id: `resp${n}` } : null } },
      links: { self: 'x' },
    }),
    broken: (n, t) => ({ type: 'customerReviews', id: `00000${n}-aaaa`, attributes: { rating: 9, createdDate: iso(t) } }),
    id: (n) => `asc:00000${n}-aaaa`,
    // https://developer.apple.com/documentation/appstoreconnectapi/get-v1-apps-_id_-customerreviews :
    // JSON:API pages, `links.next` carrying a cursor, responses in `included`.
    route(req, held, now) {
      const refused = ascRefusal(req, now);
      if (refused) return refused;
      if (req.path !== '/v1/apps/1234567890/customerReviews')
        return { status: 404, json: { errors: [{ status: '404', code: 'NOT_FOUND', title: 'The specified resource does not exist' }] } };
      if (req.query.get('sort') !== '-createdDate' || Number(req.query.get('limit')) > 200)
        return { status: 400, json: { errors: [{ status: '400', code: 'PARAMETER_ERROR.INVALID', title: 'A parameter has an invalid value' }] } };
      const limit = Number(req.query.get('limit'));
      const { page, next } = pageOf(newestFirst(held), Number(req.query.get('cursor') ?? 0), limit);
      const self = `http://${req.headers.host}${req.path}`;
      const included = page
        .filter((h) => h.n % 3 === 0)
        .map((h) => ({
          type: 'customerReviewResponses',
          id: `resp${h.n}`,
          attributes: { responseBody: `Thanks, fixed in 2.1 (${h.n})`, lastModifiedDate: new Date(h.t + 3_600_000).toISOString(), state: 'PUBLISHED' },
        }));
      return {
        json: {
          data: page.map((h) => h.raw),
          ...(included.length ? { included } : {}),
          links: { self, ...(next !== null ? { next: `${self}?cursor=${next}&limit=${limit}&sort=-createdDate&include=response` } : {}) },
          meta: { paging: { total: held.length, limit } },
        },
      };
    },
    check(m, n, t) {
      expect(m).toMatchObject({
        source: 'appstore',
        text: `The acme app crashes at login ${n}`,
        title: `Crashes ${n}`,
        rating: (n % 5) + 1,
        author: { handle: `appuser${n}` },
        created_at: iso(t),
        brands: ['acme'],
        metadata: { territory: n % 2 ? 'USA' : 'GBR' },
      });
    },
  },
  {
    type: 'rss',
    options: (base) => ({ url: `${base}/feed.xml` }),
    item: (n, t) =>
      `<item><title>Acme news ${n}</title><link>https://news.example.com/${n}</link><guid isPermaLink="false">news-${n}</guid><pubDate>${new Date(t).toUTCString()}</pubDate><dc:creator>Reporter ${n}</dc:creator><description><![CDATA[<p>Acme said &amp; did ${n}</p>]]></description></item>`,
    broken: (n) => `<item><title>no id ${n}</title></item>`,
    id: (n) => `news-${n}`,
    route(req, held) {
      const etag = `"v${held.length}"`;
      // The rule judges each return alone; tsc needs the two returns' union to be a Reply.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
      if (req.headers['if-none-match'] === etag) return { status: 304, headers: { etag } } as Reply;
      const items = newestFirst(held)
        .map((h) => h.raw)
        .join('');
      return {
        headers: { etag, 'content-type': 'application/rss+xml' },
        text: `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Example News</title><link>https://news.example.com</link>${items}</channel></rss>`,
      };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'rss',
        title: `Acme news ${n}`,
        text: `Acme said & did ${n}`,
        url: `https://news.example.com/${n}`,
        author: { handle: 'news.example.com', name: `Reporter ${n}` },
      });
    },
    garbage: { text: '{"not": "a feed"}' },
  },
  {
    type: 'gdelt',
    pageSize: 250,
    // GDELT stamps an article with the 15-minute update that saw it; a burst packed into one
    // update is read in parts (gdelt.test.ts), which takes more calls than this contract's
    // eight one-page polls allow, so here the burst is spread over several updates.
    burstSpacingMs: 4000,
    options: (base) => ({ query: '"acme"', base_url: base }),
    item: (n, t) => gdeltArticle(n, t),
    broken: (n) => ({ url: `https://news.example.com/acme-${n}`, title: 'Acme', seendate: 'yesterday' }),
    id: (n) => gdeltUrl(n),
    route: gdeltRoute,
    check(m, n, t) {
      const a = gdeltArticle(n, t);
      expect(m).toMatchObject({
        source: 'news',
        text: `Acme recalls widget ${n}`,
        title: `Acme recalls widget ${n}`,
        url: gdeltUrl(n),
        lang: ({ English: 'en', Spanish: 'es', French: 'fr' } as Record<string, string>)[a.language],
        author: { handle: a.domain },
        created_at: iso(Math.floor(t / GDELT_UPDATE_MS) * GDELT_UPDATE_MS),
        metadata: { country: a.sourcecountry },
      });
    },
  },
  {
    type: 'stackexchange',
    pageSize: 100,
    options: (base) => ({ query: 'acme', base_url: base }),
    item: (n, t) => ({
      tags: ['acme-sdk'],
      owner: { account_id: n, reputation: 10, user_id: 500 + n, user_type: 'registered', display_name: `dev${n}`, link: 'https://stackoverflow.com/users/1' },
      is_answered: false,
      view_count: 7,
      answer_count: 1,
      score: 2,
      last_activity_date: Math.floor(t / 1000),
      creation_date: Math.floor(t / 1000),
      question_id: 9000 + n,
      content_license: 'CC BY-SA 4.0',
      link: `https://stackoverflow.com/questions/${9000 + n}/x`,
      title: `Acme SDK crashes on start ${n}`,
      body: `<p>Using the acme SDK &amp; it crashes ${n}</p>`,
    }),
    broken: (n) => ({ question_id: 9000 + n, title: 5 }),
    id: (n) => `stackoverflow/q/${9000 + n}`,
    // https://api.stackexchange.com/docs/advanced-search : a wrapper with has_more and quota_remaining, pages from 1.
    route(req, held) {
      if (req.path !== '/2.3/search/advanced')
        return { status: 400, json: { error_id: 404, error_name: 'no_method', error_message: 'no method found with this name' } };
      const from = Number(req.query.get('fromdate')) * 1000;
      const all = newestFirst(held).filter((h) => Math.floor(h.t / 1000) * 1000 >= from);
      const size = Number(req.query.get('pagesize'));
      const { page, next } = pageOf(all, (Number(req.query.get('page')) - 1) * size, size);
      return { json: { items: page.map((h) => h.raw), has_more: next !== null, quota_max: 300, quota_remaining: 250 } };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'stackexchange',
        title: `Acme SDK crashes on start ${n}`,
        text: `Using the acme SDK & it crashes ${n}`,
        author: { id: String(500 + n), handle: `dev${n}` },
        engagement: { likes: 2, replies: 1, views: 7 },
        metadata: { site: 'stackoverflow', tags: ['acme-sdk'] },
      });
    },
  },
  {
    type: 'github',
    pageSize: 100,
    burstSpacingMs: 1000,
    env: { EARSHOT_GITHUB_TOKEN: 'ghp_test' },
    options: (base) => ({ query: 'acme in:title,body', base_url: base }),
    item: (n, t) => ({
      url: `https://api.github.com/repos/acme/sdk/issues/${n}`,
      repository_url: 'https://api.github.com/repos/acme/sdk',
      html_url: `https://github.com/acme/sdk/issues/${n}`,
      id: 7000 + n,
      node_id: 'I_x',
      number: n,
      title: `Acme SDK fails ${n}`,
      user: { login: `octo${n}`, id: 300 + n, type: 'User' },
      labels: [],
      state: 'open',
      locked: false,
      comments: 2,
      created_at: new Date(inSeconds(t)).toISOString().replace('.000Z', 'Z'),
      updated_at: iso(t),
      closed_at: null,
      author_association: 'NONE',
      body: n % 4 ? `It crashes on start ${n}` : null,
      reactions: { url: 'x', total_count: 3, '+1': 3 },
      score: 1,
    }),
    broken: (n, t) => ({ id: 7000 + n, number: n, title: 5, created_at: iso(t), repository_url: 'x' }),
    id: (n) => `acme/sdk#${n}`,
    // https://docs.github.com/en/rest/search/search#search-issues-and-pull-requests : at most
    // 1,000 results per query, a page beyond is 422; the token raises the search limit.
    route(req, held) {
      if (req.path !== '/search/issues') return { status: 404, json: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' } };
      if (req.headers.accept !== 'application/vnd.github+json') return { status: 415, json: { message: 'Unsupported media type' } };
      if (req.headers.authorization !== 'Bearer ghp_test')
        return { status: 401, json: { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' } };
      const q = req.query.get('q') ?? '';
      if (!q.includes('is:issue') || req.query.get('sort') !== 'created' || req.query.get('order') !== 'desc')
        return { status: 422, json: { message: 'Validation Failed' } };
      const { from, to } = githubCreated(q);
      const hits = newestFirst(held).filter((h) => inSeconds(h.t) >= from && inSeconds(h.t) <= to);
      const per = Number(req.query.get('per_page'));
      const page = Number(req.query.get('page'));
      if (page * per > 1000)
        return { status: 422, json: { message: 'Only the first 1000 search results are available', documentation_url: 'https://docs.github.com/v3/search/' } };
      const { page: items } = pageOf(hits, (page - 1) * per, per);
      return {
        headers: {
          'x-ratelimit-limit': '30',
          'x-ratelimit-remaining': '29',
          'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 60),
          'x-ratelimit-resource': 'search',
        },
        json: { total_count: hits.length, incomplete_results: false, items: items.map((h) => h.raw) },
      };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'github',
        title: `Acme SDK fails ${n}`,
        text: n % 4 ? `Acme SDK fails ${n}\n\nIt crashes on start ${n}` : `Acme SDK fails ${n}`,
        url: `https://github.com/acme/sdk/issues/${n}`,
        author: { id: String(300 + n), handle: `octo${n}` },
        engagement: { likes: 3, replies: 2 },
        metadata: { repo: 'acme/sdk', kind: 'issue' },
      });
    },
  },
  {
    type: 'github_discussions',
    pageSize: 100,
    burstSpacingMs: 1000,
    env: { EARSHOT_GITHUB_TOKEN: 'ghp_test' },
    options: (base) => ({ query: 'acme', base_url: base }),
    item: (n, t) => ({
      id: `D_${n}`,
      number: n,
      title: `How do I configure Acme ${n}?`,
      body: `Question body ${n}`,
      url: `https://github.com/acme/sdk/discussions/${n}`,
      createdAt: new Date(inSeconds(t)).toISOString().replace('.000Z', 'Z'),
      upvoteCount: 4,
      comments: { totalCount: 1 },
      author: { login: `dev${n}` },
      repository: { nameWithOwner: 'acme/sdk' },
      category: { name: 'Q&A' },
    }),
    broken: (n, t) => ({ id: `D_${n}`, number: n, createdAt: new Date(inSeconds(t)).toISOString(), repository: {} }),
    id: (n) => `acme/sdk/discussions/${n}`,
    // https://docs.github.com/en/graphql/guides/forming-calls-with-graphql : POST /graphql with a
    // token, errors (RATE_LIMITED among them) in a 200 answer; search stops at 1,000 results.
    route(req, held) {
      if (req.path !== '/graphql' || req.method !== 'POST') return { status: 404, json: { message: 'Not Found' } };
      if (req.headers.authorization !== 'Bearer ghp_test')
        return {
          status: 401,
          json: {
            message: 'This endpoint requires you to be authenticated.',
            documentation_url: 'https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql',
            status: '401',
          },
        };
      const { query, variables } = JSON.parse(req.body) as { query: string; variables: { q: string; after: string | null } };
      if (!/search\(type: DISCUSSION/.test(query) || !variables.q.includes('sort:created-desc')) return { json: { errors: [{ message: 'unexpected query' }] } };
      const { from, to } = githubCreated(variables.q);
      const hits = newestFirst(held).filter((h) => inSeconds(h.t) >= from && inSeconds(h.t) <= to);
      const offset = variables.after ? Number(Buffer.from(variables.after, 'base64').toString().replace('cursor:', '')) : 0;
      const reach = Math.min(hits.length, 1000);
      const nodes = hits.slice(offset, Math.min(offset + 100, reach));
      const end = offset + nodes.length;
      return {
        json: {
          data: {
            search: {
              discussionCount: hits.length,
              pageInfo: { hasNextPage: end < reach, endCursor: nodes.length ? Buffer.from(`cursor:${end}`).toString('base64') : null },
              nodes: nodes.map((h) => h.raw),
            },
          },
        },
      };
    },
    check(m, n) {
      expect(m).toMatchObject({
        source: 'github',
        title: `How do I configure Acme ${n}?`,
        text: `How do I configure Acme ${n}?\n\nQuestion body ${n}`,
        url: `https://github.com/acme/sdk/discussions/${n}`,
        author: { handle: `dev${n}` },
        engagement: { likes: 4, replies: 1 },
        metadata: { repo: 'acme/sdk', kind: 'discussion', category: 'Q&A' },
      });
    },
  },
];
