import { z } from 'zod';
import type { Mention } from '@earshot/shared';
import { defineSource, requireEnv } from '../define.js';
import { MalformedResponseError, RateLimitedError, jsonAnswer, retryAtFrom, type HttpClient } from '../http.js';
import { isUnusable, itemOrUnusable, newestFirstPoll, timeField } from '../paging.js';

// https://docs.github.com/en/rest/search/search : search answers at most 1,000 results per
// query (a page beyond that is a 422), so older results are reached by narrowing the
// `created:` range, not by paging on. Search has its own limit: 30 requests a minute with a
// token, 10 without; over it GitHub answers 403 or 429 with `x-ratelimit-remaining: 0` and
// `x-ratelimit-reset` in epoch seconds.
const SEARCH_CAP = 1000;
const PER_PAGE = 100;
const githubTime = (t: number) => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
const apiHeaders = (token: string | undefined): Record<string, string> => ({
  accept: 'application/vnd.github+json',
  'x-github-api-version': '2022-11-28',
  ...(token ? { authorization: `Bearer ${token}` } : {}),
});
// REST search answers created_at, GraphQL createdAt.
const restCreated = timeField('created_at');
const graphqlCreated = timeField('createdAt');
const createdAt = (raw: unknown) => restCreated(raw) ?? graphqlCreated(raw);

/** A page token: which page of the query narrowed to `created:<=until`. */
const token = (page: number, until: number | null) => `${page}|${until ?? ''}`;
const untoken = (next: string | undefined) => {
  const [page, until] = (next ?? '1|').split('|');
  return { page: Number(page) || 1, until: until ? Number(until) : null };
};

const Issue = z.object({
  id: z.number(),
  number: z.number(),
  title: z.string(),
  body: z.string().nullable().default(null),
  html_url: z.string(),
  repository_url: z.string(),
  user: z.object({ login: z.string(), id: z.number() }).nullable(),
  created_at: z.string(),
  comments: z.number().default(0),
  state: z.string().optional(),
  pull_request: z.unknown().optional(),
  reactions: z.object({ total_count: z.number() }).optional(),
});
const SearchAnswer = z.object({ total_count: z.number(), incomplete_results: z.boolean(), items: z.array(z.unknown()) });

/**
 * GitHub stops a search that runs too long and answers what it found so far with
 * `incomplete_results: true` (https://docs.github.com/en/rest/search/search#timeouts-and-incomplete-results):
 * results may be missing. Asked again (a timeout is not always repeated); still cut short,
 * the poll fails, so the checkpoint stays where it was and the next poll tries again.
 */
const INCOMPLETE_TRIES = 3;
async function completeSearch<T extends { incomplete_results: boolean }>(call: () => Promise<T>): Promise<T> {
  for (let i = 1; ; i++) {
    const body = await call();
    if (!body.incomplete_results) return body;
    if (i >= INCOMPLETE_TRIES)
      throw new Error(
        `GitHub search timed out (incomplete_results) ${INCOMPLETE_TRIES} times in a row; nothing was skipped, the poll is tried again later (a narrower query runs faster)`,
      );
  }
}

const repoOf = (apiUrl: string) => /\/repos\/([^/]+\/[^/]+)$/.exec(apiUrl)?.[1] ?? apiUrl;
const titled = (title: string, body: string | null) => (body?.trim() ? `${title}\n\n${body.trim()}` : title);

export const github = defineSource({
  type: 'github',
  source: 'github',
  summary: 'GitHub issues (and, if asked, pull requests) matching a search, newest first, through the REST search API.',
  options: z.object({
    type: z.literal('github'),
    /** GitHub search syntax, e.g. `acme in:title,body` or `repo:acme/sdk`. */
    query: z.string().min(1),
    include_pull_requests: z.boolean().default(false),
    /** A token raises the search limit from 10 to 30 requests a minute; none is needed for public repositories. */
    token_env: z.string().default('EARSHOT_GITHUB_TOKEN'),
  }),
  secrets: () => [],
  owned: false,
  defaultSchedule: '*/10 * * * *',
  create(o, { env }) {
    const base = o.base_url ?? 'https://api.github.com';
    const headers = apiHeaders(env(o.token_env));
    return newestFirstPoll(o, 'github', {
      async fetchPage(next, since, { http }) {
        const { page, until } = untoken(next);
        const q = [
          o.query,
          o.include_pull_requests ? '' : 'is:issue',
          until === null ? `created:>=${githubTime(since)}` : `created:${githubTime(since)}..${githubTime(until)}`,
        ]
          .filter(Boolean)
          .join(' ');
        const params = new URLSearchParams({ q, sort: 'created', order: 'desc', per_page: String(PER_PAGE), page: String(page) });
        const body = await completeSearch(() => http.json(`${base}/search/issues?${params}`, SearchAnswer, { headers }));
        const more = page * PER_PAGE < Math.min(body.total_count, SEARCH_CAP) && body.items.length > 0;
        if (more) return { items: body.items, next: token(page + 1, until) };
        // Past the cap: the same query again, up to the oldest time read (it comes again; repeats drop by id).
        const times = body.items.map(createdAt).filter((t): t is number => t !== null);
        const beyondCap = body.total_count > page * PER_PAGE && times.length > 0;
        return { items: body.items, next: beyondCap ? token(1, Math.min(...times)) : null };
      },
      timeOf: createdAt,
      normalise: (raw) => {
        const i = itemOrUnusable(Issue, raw, 'GitHub issue');
        if (isUnusable(i)) return i;
        const repo = repoOf(i.repository_url);
        const m: Mention = {
          id: `${repo}#${i.number}`,
          source: 'github',
          text: titled(i.title, i.body),
          title: i.title,
          created_at: i.created_at,
          author: { id: String(i.user?.id ?? 'ghost'), handle: i.user?.login ?? 'ghost' },
          url: i.html_url,
          engagement: { likes: i.reactions?.total_count ?? 0, shares: 0, replies: i.comments, views: 0 },
          metadata: { repo, kind: i.pull_request ? 'pull_request' : 'issue', ...(i.state ? { state: i.state } : {}) },
        };
        return [m];
      },
    });
  },
});

// https://docs.github.com/en/graphql/reference/queries#search and
// https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api :
// discussions are searchable only through GraphQL, which always needs a token. Errors,
// the rate limit among them (`type: RATE_LIMITED`), come as `errors[]` in a 200 answer.
const DISCUSSION_SEARCH = `query($q: String!, $after: String) {
  search(type: DISCUSSION, query: $q, first: 100, after: $after) {
    discussionCount
    pageInfo { hasNextPage endCursor }
    nodes { ... on Discussion { id number title body url createdAt upvoteCount comments { totalCount } author { login } repository { nameWithOwner } category { name } } }
  }
}`;
const GraphqlAnswer = z.object({
  data: z
    .object({
      search: z.object({
        discussionCount: z.number(),
        pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
        nodes: z.array(z.unknown()),
      }),
    })
    .nullish(),
  errors: z.array(z.object({ type: z.string().optional(), message: z.string() })).optional(),
});
const Discussion = z.object({
  id: z.string(),
  number: z.number(),
  title: z.string(),
  body: z.string().default(''),
  url: z.string(),
  createdAt: z.string(),
  upvoteCount: z.number().default(0),
  comments: z.object({ totalCount: z.number() }).default({ totalCount: 0 }),
  author: z.object({ login: z.string() }).nullable(),
  repository: z.object({ nameWithOwner: z.string() }),
  category: z.object({ name: z.string() }).optional(),
});

/** One GraphQL call; `errors[]` in a 200 answer become the error they are. */
async function graphql(http: HttpClient, url: string, tokenValue: string, variables: Record<string, unknown>, now: number) {
  const res = await http.request(url, {
    method: 'POST',
    headers: { ...apiHeaders(tokenValue), 'content-type': 'application/json' },
    body: JSON.stringify({ query: DISCUSSION_SEARCH, variables }),
  });
  const { data, errors } = jsonAnswer(url, res, GraphqlAnswer);
  const limited = errors?.find((e) => e.type === 'RATE_LIMITED');
  if (limited) throw new RateLimitedError(retryAtFrom(res.headers, now) ?? now + 60 * 60_000, `GitHub GraphQL: ${limited.message}`);
  if (errors?.length || !data) throw new MalformedResponseError(`GitHub GraphQL refused the search: ${errors?.map((e) => e.message).join('; ') ?? 'no data'}`);
  return data;
}

export const githubDiscussions = defineSource({
  type: 'github_discussions',
  source: 'github',
  summary: 'GitHub Discussions matching a search, newest first, through the GraphQL API (needs a token).',
  options: z.object({ type: z.literal('github_discussions'), query: z.string().min(1), token_env: z.string().default('EARSHOT_GITHUB_TOKEN') }),
  secrets: (o) => [o.token_env],
  owned: false,
  defaultSchedule: '*/10 * * * *',
  create(o, { env }) {
    const url = `${o.base_url ?? 'https://api.github.com'}/graphql`;
    const tokenValue = requireEnv(env, o.token_env);
    return newestFirstPoll(o, 'github', {
      async fetchPage(next, since, { http, clock }) {
        // The cursor, how many results of this query came before it and, past the
        // 1,000-result cap, the narrowed upper bound of `created:`.
        const [after, readBefore, until] = (next ?? '||').split('|');
        const range = until ? `created:${githubTime(since)}..${githubTime(Number(until))}` : `created:>=${githubTime(since)}`;
        const { search } = await graphql(http, url, tokenValue, { q: `${o.query} ${range} sort:created-desc`, after: after || null }, clock.now());
        const read = Number(readBefore || 0) + search.nodes.length;
        if (search.pageInfo.hasNextPage && search.pageInfo.endCursor)
          return { items: search.nodes, next: `${search.pageInfo.endCursor}|${read}|${until ?? ''}` };
        const times = search.nodes.map(createdAt).filter((t): t is number => t !== null);
        const beyondCap = search.discussionCount > read && read >= SEARCH_CAP && times.length > 0;
        return { items: search.nodes, next: beyondCap ? `|0|${Math.min(...times)}` : null };
      },
      timeOf: createdAt,
      normalise: (raw) => {
        const d = itemOrUnusable(Discussion, raw, 'GitHub discussion');
        if (isUnusable(d)) return d;
        const m: Mention = {
          id: `${d.repository.nameWithOwner}/discussions/${d.number}`,
          source: 'github',
          text: titled(d.title, d.body),
          title: d.title,
          created_at: d.createdAt,
          author: { id: d.author?.login ?? 'ghost', handle: d.author?.login ?? 'ghost' },
          url: d.url,
          engagement: { likes: d.upvoteCount, shares: 0, replies: d.comments.totalCount, views: 0 },
          metadata: { repo: d.repository.nameWithOwner, kind: 'discussion', ...(d.category ? { category: d.category.name } : {}) },
        };
        return [m];
      },
    });
  },
});
