import { z } from 'zod';
import type { Mention } from '@earshot/shared';
import { defineSource } from '../define.js';
import { MalformedResponseError, RateLimitedError, describeUrl, type HttpClient } from '../http.js';
import { isUnusable, itemOrUnusable, newestFirstPoll, timeOrNull } from '../paging.js';
import { boundedId, htmlToText, scalarText } from '../text.js';

// https://blog.gdeltproject.org/gdelt-doc-2-0-api-debuts/ : ArtList mode, JSON, newest first
// (sort=DateDesc), at most 250 records per call, no paging token: older articles come by
// narrowing ENDDATETIME. Errors and the rate limit ("one request every 5 seconds") come as
// plain text in a 200 answer.
const GdeltArticle = z.object({
  url: z.string().min(1),
  title: z.string(),
  seendate: z.string().regex(/^\d{8}T\d{6}Z$/, 'seendate is not YYYYMMDDTHHMMSSZ'),
  domain: z.string().default(''),
  language: z.string().optional(),
  sourcecountry: z.string().optional(),
});
const GDELT_MAX = 250;
const gdeltTime = (t: number) => new Date(t).toISOString().replace(/[-:]/g, '').slice(0, 15).replace('T', '');
const fromSeen = (s: string) => Date.parse(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);
const LANGUAGES: Record<string, string> = {
  english: 'en',
  spanish: 'es',
  french: 'fr',
  german: 'de',
  italian: 'it',
  portuguese: 'pt',
  dutch: 'nl',
  japanese: 'ja',
  chinese: 'zh',
  arabic: 'ar',
  russian: 'ru',
  hindi: 'hi',
  turkish: 'tr',
  polish: 'pl',
};

/** GDELT's JSON, or the error it wrote as text in a 200 answer, as the error it is. */
async function gdeltJson(http: HttpClient, url: string, now: number): Promise<{ articles: unknown[] }> {
  const res = await http.request(url);
  const text = res.text.trim();
  if (/one (request )?every 5 seconds/i.test(text)) throw new RateLimitedError(now + 6000, `GDELT asks for one request every 5 seconds: ${text.slice(0, 120)}`);
  if (text === '') return { articles: [] }; // no match: GDELT answers an empty body
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new MalformedResponseError(`${describeUrl(url)} answered 200 with text that is not JSON (GDELT writes its errors so): ${text.slice(0, 200)}`);
  }
  const parsed = z.object({ articles: z.array(z.unknown()).default([]) }).safeParse(body);
  if (!parsed.success)
    throw new MalformedResponseError(
      `${describeUrl(url)} answered in an unexpected shape: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}

export const gdelt = defineSource({
  type: 'gdelt',
  source: 'news',
  summary: 'News articles worldwide from the GDELT DOC 2.0 API (free, no key): headlines, outlet, country and language.',
  options: z.object({ type: z.literal('gdelt'), query: z.string().min(1) }),
  secrets: () => [],
  owned: false,
  defaultSchedule: '*/15 * * * *',
  create(o) {
    const base = o.base_url ?? 'https://api.gdeltproject.org';
    return newestFirstPoll(o, 'news', {
      async fetchPage(next, since, { http, clock }) {
        const end = next ?? gdeltTime(clock.now());
        const params = new URLSearchParams({
          query: o.query,
          mode: 'ArtList',
          format: 'json',
          sort: 'DateDesc',
          maxrecords: String(GDELT_MAX),
          startdatetime: gdeltTime(since),
          enddatetime: end,
        });
        const { articles } = await gdeltJson(http, `${base}/api/v2/doc/doc?${params}`, clock.now());
        const seen = articles.map((a) => fromSeen(scalarText((a as { seendate?: unknown })?.seendate))).filter(Number.isFinite);
        // A full answer may have left older articles out: ask again up to the oldest second seen (it comes again; repeats drop by id).
        const oldest = seen.length ? Math.min(...seen) : null;
        return { items: articles, next: articles.length >= GDELT_MAX && oldest !== null ? gdeltTime(oldest + 1000) : null };
      },
      timeOf: (raw) => timeOrNull(fromSeen(scalarText((raw as { seendate?: unknown })?.seendate))),
      normalise: (raw) => {
        const a = itemOrUnusable(GdeltArticle, raw, 'GDELT article');
        if (isUnusable(a)) return a;
        const lang = LANGUAGES[a.language?.toLowerCase() ?? ''];
        const m: Mention = {
          id: boundedId(a.url),
          source: 'news',
          text: a.title,
          title: a.title,
          created_at: new Date(fromSeen(a.seendate)).toISOString(),
          author: { id: a.domain || new URL(a.url).host, handle: a.domain || new URL(a.url).host },
          url: a.url,
          ...(lang ? { lang } : {}),
          metadata: { via: 'gdelt', ...(a.sourcecountry ? { country: a.sourcecountry } : {}) },
        };
        return [m];
      },
    });
  },
});

// https://api.stackexchange.com/docs/advanced-search and /docs/throttle : a wrapper with
// `has_more`, `quota_remaining` and sometimes `backoff` (seconds to wait before calling the
// same method again, inside a 200 answer); errors are `{error_id, error_name, error_message}`.
const SeQuestion = z.object({
  question_id: z.number(),
  title: z.string(),
  body: z.string().optional(),
  link: z.string(),
  creation_date: z.number(),
  score: z.number().default(0),
  answer_count: z.number().default(0),
  view_count: z.number().default(0),
  tags: z.array(z.string()).default([]),
  owner: z.object({ user_id: z.number().optional(), display_name: z.string().default('unknown') }).default({ display_name: 'unknown' }),
});
const SeWrapper = z.object({ items: z.array(z.unknown()), has_more: z.boolean(), quota_remaining: z.number().optional(), backoff: z.number().optional() });

export const stackExchange = defineSource({
  type: 'stackexchange',
  source: 'stackexchange',
  summary: 'Stack Exchange questions (Stack Overflow or any site) matching a query, newest first, through the public API.',
  options: z.object({
    type: z.literal('stackexchange'),
    query: z.string().min(1),
    site: z
      .string()
      .regex(/^[a-z0-9.]+$/)
      .default('stackoverflow'),
    /** Optional app key: 10,000 requests a day instead of 300 per IP. */
    key_env: z.string().default('EARSHOT_STACKEXCHANGE_KEY'),
  }),
  secrets: () => [],
  owned: false,
  defaultSchedule: '*/15 * * * *',
  create(o, { env }) {
    const base = o.base_url ?? 'https://api.stackexchange.com';
    const key = env(o.key_env);
    let quietUntil = 0;
    return newestFirstPoll(o, 'stackexchange', {
      async fetchPage(next, since, { http, clock }) {
        const now = clock.now();
        if (now < quietUntil) throw new RateLimitedError(quietUntil, `Stack Exchange asked to wait (backoff) until ${new Date(quietUntil).toISOString()}`);
        const page = Number(next ?? 1);
        const params = new URLSearchParams({
          order: 'desc',
          sort: 'creation',
          q: o.query,
          site: o.site,
          fromdate: String(Math.floor(since / 1000)),
          pagesize: '100',
          page: String(page),
          filter: 'withbody',
          ...(key ? { key } : {}),
        });
        const body = await http.json(`${base}/2.3/search/advanced?${params}`, SeWrapper);
        if (body.backoff) quietUntil = now + body.backoff * 1000;
        if (body.quota_remaining === 0) {
          const d = new Date(now);
          quietUntil = Math.max(quietUntil, Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1));
        }
        return { items: body.items, next: body.has_more ? String(page + 1) : null };
      },
      timeOf: (raw) => {
        const t = (raw as { creation_date?: unknown })?.creation_date;
        return typeof t === 'number' ? t * 1000 : null;
      },
      normalise: (raw) => {
        const q = itemOrUnusable(SeQuestion, raw, 'Stack Exchange question');
        if (isUnusable(q)) return q;
        return [
          {
            id: `${o.site}/q/${q.question_id}`,
            source: 'stackexchange',
            text: htmlToText(q.body ?? '') || htmlToText(q.title),
            title: htmlToText(q.title),
            created_at: new Date(q.creation_date * 1000).toISOString(),
            author: { id: String(q.owner.user_id ?? q.owner.display_name), handle: htmlToText(q.owner.display_name) },
            url: q.link,
            engagement: { likes: Math.max(0, q.score), shares: 0, replies: q.answer_count, views: q.view_count },
            metadata: { site: o.site, tags: q.tags },
          },
        ];
      },
    });
  },
});
