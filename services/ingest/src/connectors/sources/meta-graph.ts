import { z } from 'zod';
import { HttpError, RateLimitedError, describeUrl, jsonAnswer, type HttpClient } from '../http.js';

// https://developers.facebook.com/docs/graph-api/guides/error-handling and
// https://developers.facebook.com/docs/graph-api/overview/rate-limiting : Graph API errors
// (Facebook, Instagram and Threads alike) are `{error: {message, type, code, error_subcode}}`
// with a 4xx status; which one is told by the code, not the status.
/** The Graph API version the Instagram calls name (Meta keeps each version for about two years). */
export const GRAPH_VERSION = 'v25.0';
const GraphError = z.object({ error: z.object({ message: z.string(), type: z.string().optional(), code: z.number(), error_subcode: z.number().optional() }) });
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
const isRateLimit = (code: number) => RATE_LIMIT_CODES.has(code) || (code >= 80001 && code <= 80014);
const isPermission = (code: number) => code === 10 || (code >= 200 && code <= 299);

/**
 * When a throttled app may call again: the longest `estimated_time_to_regain_access`
 * (minutes) in `X-Business-Use-Case-Usage`, else an hour (the window Meta's limits roll over).
 */
function regainAt(headers: Headers, now: number): number {
  let minutes = 0;
  try {
    const usage = JSON.parse(headers.get('x-business-use-case-usage') ?? '{}') as Record<string, { estimated_time_to_regain_access?: number }[]>;
    for (const list of Object.values(usage)) for (const u of list) minutes = Math.max(minutes, u.estimated_time_to_regain_access ?? 0);
  } catch {
    // An unreadable header says nothing; the default stands.
  }
  return now + (minutes > 0 ? minutes : 60) * 60_000;
}

/**
 * GET a Graph API edge and parse it. Rate-limit codes wait for the time Meta gives; an
 * expired or revoked token (190) and a missing permission say what the operator must do.
 */
export async function graphJson<S extends z.ZodType>(
  http: HttpClient,
  url: string,
  schema: S,
  now: number,
  o: { tokenEnv: string; permission: string },
): Promise<z.infer<S>> {
  const res = await http.request(url, { accept: [400, 401, 403], headers: { accept: 'application/json' } });
  if (res.status < 400) return jsonAnswer(url, res, schema);
  const parsed = GraphError.safeParse(
    (() => {
      try {
        return JSON.parse(res.text);
      } catch {
        return null;
      }
    })(),
  );
  if (!parsed.success) throw new HttpError(res.status, `${describeUrl(url)} answered ${res.status}: ${res.text.slice(0, 200)}`, res.text);
  const { code, error_subcode: sub, message } = parsed.data.error;
  const what = `(code ${code}${sub ? `/${sub}` : ''}: ${message})`;
  if (isRateLimit(code)) {
    const at = regainAt(res.headers, now);
    throw new RateLimitedError(at, `${describeUrl(url)}: Meta rate limit ${what}; retrying after ${new Date(at).toISOString()}`);
  }
  if (code === 190)
    throw new HttpError(
      res.status,
      `the access token in ${o.tokenEnv} was refused ${what}: it expired or was revoked; make a new long-lived token and set it`,
      res.text,
    );
  if (isPermission(code)) throw new HttpError(res.status, `the token in ${o.tokenEnv} lacks a permission ${what}; this source needs ${o.permission}`, res.text);
  throw new HttpError(res.status, `${describeUrl(url)} answered ${res.status} ${what}`, res.text);
}
