import { z } from 'zod';
import type { Mention } from '@earshot/shared';
import { defineSource } from '../define.js';
import { HttpError, MalformedResponseError, RateLimitedError, describeUrl, type HttpClient } from '../http.js';
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

/**
 * One call of a GDELT pass, carried in the pager's `next` token. `end`: the time walk goes on
 * up to here (newest first). With `batch`: first the parts of that one 15-minute batch still
 * to read, each a list of clauses added to the query.
 */
const GdeltStep = z.object({ end: z.string(), batch: z.number().optional(), parts: z.array(z.array(z.string())).optional() });
type GdeltStep = z.infer<typeof GdeltStep>;

/**
 * `seendate` is the time of the 15-minute update that first saw an article, so more than 250
 * matches in one update cannot be told apart by time. Such a batch is read in parts, split
 * by the outlet's language, then its country, then its domain: the announcement's
 * `sourcelang:`, `sourcecountry:` (no spaces) and `domainis:` operators, each of which a
 * leading "-" negates. A part still full is split again by the most common value it showed.
 */
const SPLITS = [
  { field: 'language', op: 'sourcelang', value: (v: string) => v.toLowerCase().replace(/\s+/g, '') },
  { field: 'sourcecountry', op: 'sourcecountry', value: (v: string) => v.toLowerCase().replace(/[^a-z]/g, '') },
  { field: 'domain', op: 'domainis', value: (v: string) => v.toLowerCase() },
] as const;

/** The two halves of a full part: with the value most common in its answer, and without it; null when nothing is left to split by. */
export function splitGdeltPart(part: string[], articles: unknown[]): [string[], string[]] | null {
  for (const s of SPLITS) {
    if (part.some((c) => c.startsWith(`${s.op}:`))) continue;
    const counts = new Map<string, number>();
    for (const a of articles) {
      const v = s.value(scalarText((a as Record<string, unknown> | null)?.[s.field]));
      if (v && !part.includes(`-${s.op}:${v}`)) counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const top = [...counts].sort((x, y) => y[1] - x[1])[0]?.[0];
    if (top)
      return [
        [...part, `${s.op}:${top}`],
        [...part, `-${s.op}:${top}`],
      ];
  }
  return null;
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
    const call = (http: HttpClient, now: number, from: string, to: string, clauses: string[]) => {
      const params = new URLSearchParams({
        query: [o.query, ...clauses].join(' '),
        mode: 'ArtList',
        format: 'json',
        sort: 'DateDesc',
        maxrecords: String(GDELT_MAX),
        startdatetime: from,
        enddatetime: to,
      });
      return gdeltJson(http, `${base}/api/v2/doc/doc?${params}`, now);
    };
    const seenOf = (a: unknown) => fromSeen(scalarText((a as { seendate?: unknown })?.seendate));
    // Batches whose reading in parts has begun (here or in a backlog gap): a later pass that
    // meets one again goes on past it instead of reading it twice. Lost on restart, which
    // only costs calls.
    const taken = new Set<number>();
    return newestFirstPoll(o, 'news', {
      async fetchPage(next, since, { http, clock }) {
        const now = clock.now();
        // A token saved before batches were split is a bare end time.
        const step: GdeltStep = !next ? { end: gdeltTime(now) } : next.startsWith('{') ? GdeltStep.parse(JSON.parse(next)) : { end: next };
        const goOn = (end: number): string | null => (end >= since ? JSON.stringify({ end: gdeltTime(end) }) : null);
        if (step.batch !== undefined && step.parts?.length) {
          // One part of a batch too large for one answer.
          const [part, ...rest] = step.parts;
          const { articles } = await call(http, now, gdeltTime(step.batch), gdeltTime(step.batch), part!);
          let parts = rest;
          let notice: string | undefined;
          if (articles.length >= GDELT_MAX) {
            const halves = splitGdeltPart(part!, articles);
            if (halves) parts = [...halves, ...rest];
            else
              notice = `GDELT update of ${new Date(step.batch).toISOString()} holds more than ${GDELT_MAX} articles from one outlet for "${[o.query, ...part!].join(' ')}": only ${GDELT_MAX} could be read`;
          }
          const following = parts.length ? JSON.stringify({ ...step, parts }) : goOn(step.batch - 1000);
          return { items: articles, next: following, ...(notice ? { notice } : {}) };
        }
        const { articles } = await call(http, now, gdeltTime(since), step.end, []);
        if (articles.length < GDELT_MAX) return { items: articles, next: null };
        // A full answer holds every article of its newer batches, and only some of its oldest:
        // that batch is read on its own (in parts if need be), then the walk goes on before it.
        const seen = articles.map(seenOf).filter(Number.isFinite);
        if (seen.length === 0) return { items: articles, next: null };
        const oldest = Math.min(...seen);
        if (taken.has(oldest)) return { items: articles, next: goOn(oldest - 1000) };
        taken.add(oldest);
        if (taken.size > 1000) taken.delete(Math.min(...taken));
        // An answer wholly of one batch is that batch's first 250 already: split it straight away.
        const parts = (seen.every((t) => t === oldest) && splitGdeltPart([], articles)) || [[]];
        return { items: articles, next: JSON.stringify({ end: gdeltTime(oldest - 1000), batch: oldest, parts } satisfies GdeltStep) };
      },
      timeOf: (raw) => timeOrNull(seenOf(raw)),
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

/**
 * https://api.stackexchange.com/docs/error-handling : `throttle_violation` (error_id 502, in a
 * 400 answer) when a client asked too often, its message saying when more requests are
 * available ("... more requests available in 42 seconds"). The seconds to wait, or null for
 * any other failure; a message without them waits a minute.
 */
function throttleWait(err: unknown): number | null {
  if (!(err instanceof HttpError) || err.status !== 400) return null;
  let body: { error_id?: unknown; error_message?: unknown };
  try {
    body = JSON.parse(err.body) as typeof body;
  } catch {
    return null;
  }
  if (body.error_id !== 502) return null;
  const seconds = /available in (\d+) seconds?/i.exec(scalarText(body.error_message))?.[1];
  return seconds ? Number(seconds) : 60;
}

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
        const body = await http.json(`${base}/2.3/search/advanced?${params}`, SeWrapper).catch((err: unknown) => {
          const wait = throttleWait(err);
          if (wait === null) throw err;
          quietUntil = now + wait * 1000;
          throw new RateLimitedError(quietUntil, `Stack Exchange throttled this client (throttle_violation); more requests in ${wait} s`);
        });
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
