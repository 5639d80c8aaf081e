import { z } from 'zod';
import type { EngagementUpdate, Mention } from '@earshot/shared';
import { defineSource, requireEnv } from '../define.js';
import type { HttpClient } from '../http.js';
import { isUnusable, itemOrUnusable } from '../paging.js';
import { openStream, responseLines } from '../stream-lines.js';
import { chunks, compareNumericIds, scalarText } from '../text.js';
import type { ConnectorContext, Cursor, Harvest, RecentMention, Unusable } from '../types.js';

// https://docs.x.com/x-api/posts/search-recent-posts and /filtered-stream: { data, includes.users, meta }.
const Tweet = z.object({
  id: z.string().min(1),
  text: z.string(),
  created_at: z.string(),
  author_id: z.string().min(1),
  lang: z.string().optional(),
  conversation_id: z.string().optional(),
  public_metrics: z
    .object({
      retweet_count: z.number(),
      reply_count: z.number(),
      like_count: z.number(),
      quote_count: z.number().default(0),
      impression_count: z.number().optional(),
    })
    .optional(),
  referenced_tweets: z.array(z.object({ type: z.string(), id: z.string() })).optional(),
  /** Posts over 280 characters: `text` is cut, the whole post is here. */
  note_tweet: z.object({ text: z.string() }).optional(),
});
const User = z.object({
  id: z.string(),
  username: z.string(),
  name: z.string().optional(),
  public_metrics: z.object({ followers_count: z.number() }).partial().optional(),
});
const Includes = z.object({ users: z.array(User).default([]) }).default({ users: [] });
const SearchPage = z.object({
  data: z.array(z.unknown()).default([]),
  includes: Includes,
  meta: z.object({ result_count: z.number(), newest_id: z.string().optional(), oldest_id: z.string().optional(), next_token: z.string().optional() }),
});
const StreamEvent = z.object({
  data: z.unknown(),
  includes: Includes,
  matching_rules: z.array(z.object({ id: z.string(), tag: z.string().optional() })).optional(),
});
const Rules = z.object({ data: z.array(z.object({ id: z.string(), value: z.string(), tag: z.string().optional() })).optional() });

const FIELDS = {
  'tweet.fields': 'created_at,public_metrics,lang,conversation_id,referenced_tweets,author_id,note_tweet',
  expansions: 'author_id',
  'user.fields': 'username,name,public_metrics',
};

export function tweetToMention(raw: unknown, users: z.infer<typeof User>[]): Mention | Unusable {
  const t = itemOrUnusable(Tweet, raw, 'X post');
  if (isUnusable(t)) return t;
  const user = users.find((u) => u.id === t.author_id);
  const m = t.public_metrics;
  const replyTo = t.referenced_tweets?.find((r) => r.type === 'replied_to')?.id;
  return {
    id: t.id,
    source: 'twitter',
    text: t.note_tweet?.text ?? t.text,
    created_at: t.created_at,
    author: {
      id: t.author_id,
      handle: user?.username ?? t.author_id,
      ...(user?.name ? { name: user.name } : {}),
      ...(user?.public_metrics?.followers_count !== undefined ? { followers: user.public_metrics.followers_count } : {}),
    },
    url: `https://x.com/${user?.username ?? 'i'}/status/${t.id}`,
    ...(t.lang && t.lang !== 'und' ? { lang: t.lang } : {}),
    ...(m ? { engagement: { likes: m.like_count, shares: m.retweet_count + m.quote_count, replies: m.reply_count, views: m.impression_count ?? 0 } } : {}),
    ...(replyTo ? { in_reply_to: replyTo } : {}),
    ...(t.conversation_id ? { metadata: { thread: t.conversation_id } } : {}),
  };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** X ids are snowflakes: the time they were made is in their top bits. */
const SNOWFLAKE_EPOCH = 1_288_834_974_657;
export const snowflakeTime = (id: string) => Number(BigInt(id) >> 22n) + SNOWFLAKE_EPOCH;
/** The lowest id a post made at `ms` can have: a `since_id` that steps back in time. */
const snowflakeAt = (ms: number) => (BigInt(Math.max(0, Math.floor(ms - SNOWFLAKE_EPOCH))) << 22n).toString();

/** Recent search covers the last 7 days; `since_id` and `start_time` older than that are refused (400). */
const SEARCH_REACH_MS = 7 * 24 * 3_600_000 - 3_600_000;
const xTime = (t: number) => new Date(Math.ceil(t / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');

/** Part of an earlier burst still to read: posts after `since_id` (or `start_time`) and before `until_id`. */
interface XGap {
  since_id?: string;
  start_time?: number;
  until_id: string;
}

/** The lower bound of a search, clamped to what recent search still reaches; what it cannot reach is reported. */
function lowerBound(b: { since_id?: string; start_time?: number }, now: number, notices: string[]): Record<string, string> {
  const reach = now - SEARCH_REACH_MS;
  const from = b.since_id ? snowflakeTime(b.since_id) : (b.start_time ?? reach);
  if (from >= reach) return b.since_id ? { since_id: b.since_id } : { start_time: xTime(from) };
  notices.push(`X recent search reaches back 7 days: posts from ${new Date(from).toISOString()} to ${new Date(reach).toISOString()} could not be read (a gap)`);
  return { start_time: xTime(reach) };
}

/**
 * Recent search, newest first: what earlier bursts left (gaps, oldest first), then
 * everything after `since_id`. A pass the page limit stops leaves a gap bounded by the
 * oldest post it read (`until_id`), so the next polls read the rest and nothing twice.
 */
async function searchSince(
  http: HttpClient,
  base: string,
  token: string,
  query: string,
  cursor: Cursor,
  maxPages: number,
  now: number,
  firstFrom: number,
  overlapMs = 0,
): Promise<Harvest> {
  const out: Harvest = { mentions: [], unusable: [], cursor: { ...cursor }, notices: [] };
  const gaps: XGap[] = [];
  let newest = typeof cursor.since_id === 'string' ? cursor.since_id : undefined;

  type Bound = { since_id?: string; start_time?: number };
  /** Reads one range; `rest` is what the page limit left of it, bounded as it was read (clamped to the reach, so a gap is reported once). */
  async function pass(bound: Bound, until: string | undefined, budget: number): Promise<{ pages: number; rest: XGap | null }> {
    const lower = lowerBound(bound, now, out.notices!);
    const read: Bound = lower.since_id ? { since_id: lower.since_id } : { start_time: Date.parse(lower.start_time!) };
    if (until && read.start_time !== undefined && snowflakeTime(until) <= read.start_time) return { pages: 0, rest: null };
    let next: string | undefined;
    let oldest: string | undefined;
    for (let page = 0; page < budget; page++) {
      const params = new URLSearchParams({
        query,
        max_results: '100',
        ...FIELDS,
        ...lower,
        ...(until ? { until_id: until } : {}),
        ...(next ? { next_token: next } : {}),
      });
      const body = await http.json(`${base}/2/tweets/search/recent?${params}`, SearchPage, { headers: bearer(token) });
      for (const raw of body.data) {
        const m = tweetToMention(raw, body.includes.users);
        if (isUnusable(m)) out.unusable.push(m);
        else out.mentions.push(m);
      }
      if (body.meta.newest_id && (!newest || compareNumericIds(body.meta.newest_id, newest) > 0)) newest = body.meta.newest_id;
      if (body.meta.oldest_id && (!oldest || compareNumericIds(body.meta.oldest_id, oldest) < 0)) oldest = body.meta.oldest_id;
      next = body.meta.next_token;
      if (!next) return { pages: page + 1, rest: null };
    }
    const end = oldest ?? until;
    return { pages: budget, rest: end ? { ...read, until_id: end } : null };
  }

  let budget = maxPages;
  for (const gap of Array.isArray(cursor.gaps) ? (cursor.gaps as XGap[]) : []) {
    if (budget <= 0) {
      gaps.push(gap);
      continue;
    }
    const r = await pass(gap, gap.until_id, budget);
    budget -= r.pages;
    if (r.rest) gaps.push(r.rest);
  }
  const before = newest;
  // Posts X indexes late carry ids from their posting time, below the newest read: the
  // overlap steps `since_id` back that far (repeats are dropped by id, but X bills them).
  const since = newest && overlapMs > 0 ? snowflakeAt(snowflakeTime(newest) - overlapMs) : newest;
  const bound: Bound = since ? { since_id: since } : { start_time: typeof cursor.from === 'number' ? cursor.from : firstFrom };
  const top = await pass(bound, undefined, maxPages);
  if (top.rest) gaps.push(top.rest);
  const { gaps: _old, from: _from, since_id: _since, ...rest } = out.cursor;
  // A lower bound beyond reach with nothing newer found: start from the reach next time, not report the gap again.
  const clampedEmpty = newest === before && (bound.since_id ? snowflakeTime(bound.since_id) : bound.start_time!) < now - SEARCH_REACH_MS;
  out.cursor = {
    ...rest,
    ...(clampedEmpty ? { from: now - SEARCH_REACH_MS } : newest ? { since_id: newest } : typeof cursor.from === 'number' ? { from: cursor.from } : {}),
    ...(gaps.length ? { gaps } : {}),
  };
  return out;
}

/** Engagement refresh for both X sources: the recent posts looked up by id. */
const refreshByLookup =
  (base: string, token: string) =>
  (recent: RecentMention[], { http, clock }: ConnectorContext) =>
    lookup(
      http,
      base,
      token,
      recent.map((r) => r.id),
      clock.now(),
    );

async function lookup(http: HttpClient, base: string, token: string, ids: string[], now: number): Promise<EngagementUpdate[]> {
  const out: EngagementUpdate[] = [];
  for (const group of chunks(ids, 100)) {
    const body = await http.json(`${base}/2/tweets?${new URLSearchParams({ ids: group.join(','), ...FIELDS })}`, SearchPage.omit({ meta: true }), {
      headers: bearer(token),
    });
    for (const raw of body.data) {
      const m = tweetToMention(raw, body.includes.users);
      if (isUnusable(m) || !m.engagement) continue;
      out.push({
        source: 'twitter',
        id: m.id,
        engagement: m.engagement,
        ...(m.author.followers !== undefined ? { followers: m.author.followers } : {}),
        observed_at: new Date(now).toISOString(),
      });
    }
  }
  return out;
}

const tokenOption = { token_env: z.string().default('EARSHOT_X_BEARER_TOKEN') };

export const xSearch = defineSource({
  type: 'x_search',
  source: 'twitter',
  summary: 'X (Twitter) API v2 recent search, resumed from `since_id`; public metrics refreshed through the posts lookup.',
  options: z.object({
    type: z.literal('x_search'),
    query: z.string().min(1).max(4096),
    ...tokenOption,
    // X bills every post read, repeats in the overlap too: no look-back unless asked for.
    overlap_minutes: z
      .number()
      .min(0)
      .max(24 * 60)
      .default(0),
  }),
  secrets: (o) => [o.token_env],
  owned: false,
  defaultSchedule: '*/5 * * * *',
  // X bills every post read, lookups included.
  refreshOptIn: true,
  create(o, { env }) {
    const base = o.base_url ?? 'https://api.x.com';
    const token = requireEnv(env, o.token_env);
    return {
      kind: 'poll',
      source: 'twitter',
      poll: (cursor, { http, clock }) =>
        searchSince(http, base, token, o.query, cursor, o.max_pages, clock.now(), clock.now() - o.lookback_hours * 3_600_000, o.overlap_minutes * 60_000),
      refresh: refreshByLookup(base, token),
    };
  },
});

type XStreamOptions = {
  rule: string;
  idle_seconds: number;
  catch_up: boolean;
  max_pages: number;
  lookback_hours: number;
  token_env: string;
  base_url?: string;
};

// https://docs.x.com/x-api/posts/filtered-stream/introduction : POST rules answers 200 even when
// it refuses rules, with `errors[]` and `meta.summary.invalid`; `dry_run=true` validates only.
const RulesChange = z.object({
  errors: z
    .array(z.object({ title: z.string().optional(), value: z.string().optional(), details: z.array(z.string()).optional(), detail: z.string().optional() }))
    .optional(),
  meta: z
    .object({ summary: z.object({ invalid: z.number().optional(), not_created: z.number().optional() }).partial().optional() })
    .partial()
    .optional(),
});
// A stream line that is not a post: an error object, for example when X closes the stream (`operational-disconnect`).
const StreamErrors = z.object({
  errors: z.array(z.object({ title: z.string().optional(), detail: z.string().optional(), disconnect_type: z.string().optional() })).min(1),
});

const ruleTag = (brand: string) => `earshot:${brand}`;

/**
 * X allows one filtered-stream connection per app and its rules are app-wide, so every
 * brand's `x_stream` entry runs on one connection: one rule per brand (tagged
 * `earshot:<brand>`), posts routed to brands by `matching_rules[].tag`, and after each
 * reconnect a recent search per rule from the last post that brand saw.
 */
export const xStream = defineSource({
  type: 'x_stream',
  source: 'twitter',
  summary: 'X (Twitter) API v2 filtered stream, one connection for every brand with one rule each; after a reconnect, recent search per rule fills the gap.',
  options: z.object({
    type: z.literal('x_stream'),
    rule: z.string().min(1).max(1024),
    /** Seconds without even a keep-alive (X sends one every 20 s) before reconnecting. */
    idle_seconds: z.number().positive().default(60),
    catch_up: z.boolean().default(true),
    ...tokenOption,
  }),
  secrets: (o) => [o.token_env],
  owned: false,
  defaultSchedule: '*/5 * * * *',
  networkWide: (o) => `${o.token_env} ${o.base_url ?? ''}`,
  create(o, { env, members }) {
    const base = o.base_url ?? 'https://api.x.com';
    const token = requireEnv(env, o.token_env);
    const rules = members.map((m) => ({ brand: m.brand, value: (m.options as XStreamOptions).rule, tag: ruleTag(m.brand) }));
    const byTag = new Map(rules.map((r) => [r.tag, r.brand]));
    const rulesUrl = `${base}/2/tweets/search/stream/rules`;
    const post = (http: HttpClient, query: string, body: unknown) =>
      http.json(`${rulesUrl}${query}`, RulesChange, {
        method: 'POST',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const refused = (answer: z.infer<typeof RulesChange>) => {
      if (!answer.errors?.length && !answer.meta?.summary?.invalid && !answer.meta?.summary?.not_created) return;
      const why = (answer.errors ?? [])
        .map((e) => `${e.value ? `"${e.value}"` : 'a rule'} (${[e.title, ...(e.details ?? []), e.detail].filter(Boolean).join(': ')})`)
        .join('; ');
      throw new Error(
        `X refused the stream rules: ${why || `${answer.meta?.summary?.invalid ?? answer.meta?.summary?.not_created} invalid`}; fix the brand's x_stream rule`,
      );
    };
    async function syncRules(http: HttpClient) {
      const current = (await http.json(rulesUrl, Rules, { headers: bearer(token) })).data ?? [];
      const ours = current.filter((r) => r.tag?.startsWith('earshot:'));
      const stale = ours.filter((r) => !rules.some((d) => d.tag === r.tag && d.value === r.value)).map((r) => r.id);
      const missing = rules.filter((d) => !ours.some((r) => r.tag === d.tag && r.value === d.value)).map(({ value, tag }) => ({ value, tag }));
      if (missing.length) refused(await post(http, '?dry_run=true', { add: missing }));
      if (stale.length) await post(http, '', { delete: { ids: stale } });
      if (missing.length) refused(await post(http, '', { add: missing }));
    }
    type PerRule = Record<string, Cursor>;
    return {
      kind: 'stream',
      source: 'twitter',
      async run(cursor, { http, clock, emit, onConnected, signal }) {
        await syncRules(http);
        const body = await openStream(`${base}/2/tweets/search/stream?${new URLSearchParams(FIELDS)}`, bearer(token), signal, () => clock.now());
        onConnected();
        let perRule: PerRule = { ...((cursor.rules as PerRule | undefined) ?? {}) };
        const at = () => ({ ...cursor, rules: perRule });
        // What was posted while we were away, rule by rule: the stream itself cannot replay it.
        if (o.catch_up) {
          for (const r of rules) {
            if (typeof perRule[r.brand]?.since_id !== 'string') continue;
            const gap = await searchSince(http, base, token, r.value, perRule[r.brand]!, o.max_pages, clock.now(), clock.now() - o.lookback_hours * 3_600_000);
            perRule = { ...perRule, [r.brand]: gap.cursor };
            await emit({ ...gap, mentions: gap.mentions.map((m) => ({ ...m, brands: [r.brand] })), cursor: at() });
          }
        }
        for await (const line of responseLines(body, o.idle_seconds * 1000, signal)) {
          if (line.trim() === '') continue; // keep-alive
          let json: unknown;
          try {
            json = JSON.parse(line);
          } catch {
            await emit({ mentions: [], unusable: [{ reason: 'X stream line is not a post event: not JSON', payload: line }], cursor: at() });
            continue;
          }
          const closing = StreamErrors.safeParse(json);
          if (closing.success && (json as { data?: unknown }).data === undefined) {
            const e = closing.data.errors[0]!;
            throw new Error(`X ended the stream: ${[e.title, e.disconnect_type, e.detail].filter(Boolean).join(': ')}`);
          }
          const parsed = StreamEvent.safeParse(json);
          if (!parsed.success) {
            await emit({
              mentions: [],
              unusable: [{ reason: `X stream line is not a post event: ${parsed.error.issues[0]?.message}`, payload: line }],
              cursor: at(),
            });
            continue;
          }
          const event = parsed.data;
          const m = tweetToMention(event.data, event.includes.users);
          if (isUnusable(m)) {
            await emit({ mentions: [], unusable: [m], cursor: at() });
            continue;
          }
          const brands = [...new Set((event.matching_rules ?? []).map((r) => byTag.get(r.tag ?? '')).filter((b): b is string => b !== undefined))];
          for (const b of brands)
            if (!perRule[b]?.since_id || compareNumericIds(m.id, scalarText(perRule[b].since_id)) > 0)
              perRule = { ...perRule, [b]: { ...perRule[b], since_id: m.id } };
          // A post matched only by a rule that is not ours (another tool on the same app) is left to the brand queries.
          await emit({ mentions: [brands.length ? { ...m, brands } : m], unusable: [], cursor: at() });
        }
      },
      refresh: refreshByLookup(base, token),
    };
  },
});
