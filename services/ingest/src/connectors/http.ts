import { sleep as realSleep, withRetries, type Clock } from '@earshot/shared';
import type { z } from 'zod';

/** The source asked us to wait (429, or a quota answer); nothing is retried before `retryAt`. */
export class RateLimitedError extends Error {
  constructor(
    readonly retryAt: number,
    message: string,
  ) {
    super(message);
  }
}

/** An HTTP failure that retries did not cure (5xx, network) or that retrying cannot cure (4xx). */
export class HttpError extends Error {
  constructor(
    readonly status: number | null,
    message: string,
    /** The answer's body, for callers that read the service's own error code from it. */
    readonly body = '',
  ) {
    super(message);
  }
}

/** The source refused the credentials (401, or a 400 whose body names the token as `refusal` does). */
export const credentialsRefused = (err: unknown, refusal?: RegExp): boolean =>
  err instanceof HttpError && (err.status === 401 || (refusal !== undefined && err.status === 400 && refusal.test(err.body)));

/**
 * Calls with the current token; when the source refuses it before its stated expiry,
 * renews it once (`renew`) and calls again. Any other failure, or a second refusal, stands.
 */
export async function withTokenRenewal<T>(call: () => Promise<T>, renew: () => void | Promise<void>, refusal?: RegExp): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!credentialsRefused(err, refusal)) throw err;
    await renew();
    return call();
  }
}

/**
 * An OAuth access token reused until a minute before its `expires_in`, fetched when
 * missing or stale, and dropped when the source refuses it early (with `withTokenRenewal`).
 */
export class TokenCache {
  private token: { value: string; until: number } | null = null;

  async get(now: number, fetchToken: () => Promise<{ access_token: string; expires_in: number }>): Promise<string> {
    if (this.token && now < this.token.until) return this.token.value;
    const t = await fetchToken();
    this.token = { value: t.access_token, until: now + Math.max(0, t.expires_in - 60) * 1000 };
    return t.access_token;
  }

  drop(): void {
    this.token = null;
  }
}

/** The source answered 2xx with something that is not the documented shape. */
export class MalformedResponseError extends Error {}

export interface HttpClientOptions {
  clock: Clock;
  /** Requests per minute this connector may make (the quota from configuration). */
  perMinute?: number;
  /** Retries of a 5xx, timeout or dropped connection inside one call. */
  retries?: number;
  /** First back-off step; doubled each retry, with full jitter. */
  backoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  userAgent?: string;
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Statuses other than 2xx that are answers rather than errors (for example 304). */
  accept?: number[];
}

/**
 * When a rate-limited answer says we may try again: `Retry-After` (seconds or an HTTP
 * date), X's `x-rate-limit-reset` (epoch seconds), `x-ratelimit-reset` (seconds from now
 * at Reddit, epoch seconds at GitHub), `RateLimit-Reset` (Bluesky, the IETF draft) or Yelp's `RateLimit-ResetTime`.
 * Null when the answer does not say.
 */
export function retryAtFrom(headers: Headers, now: number): number | null {
  const retryAfter = headers.get('retry-after');
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return now + Math.max(0, seconds) * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(now, date);
  }
  const epoch = Number(headers.get('x-rate-limit-reset'));
  if (headers.has('x-rate-limit-reset') && Number.isFinite(epoch)) return Math.max(now, epoch * 1000);
  // Reddit sends seconds from now there, GitHub epoch seconds.
  const xReset = Number(headers.get('x-ratelimit-reset'));
  if (headers.has('x-ratelimit-reset') && Number.isFinite(xReset)) return xReset > 1e9 ? Math.max(now, xReset * 1000) : now + Math.max(0, xReset) * 1000;
  // The IETF draft's RateLimit-Reset is seconds from now; Bluesky sends epoch seconds there.
  const reset = Number(headers.get('ratelimit-reset'));
  if (headers.has('ratelimit-reset') && Number.isFinite(reset)) return reset > 1e9 ? Math.max(now, reset * 1000) : now + Math.max(0, reset) * 1000;
  // Yelp: RateLimit-ResetTime, an ISO time (its daily quota).
  const resetTime = Date.parse(headers.get('ratelimit-resettime') ?? '');
  if (Number.isFinite(resetTime)) return Math.max(now, resetTime);
  return null;
}

/** Whether the answer says the quota is used up even though this call succeeded. */
function quotaExhausted(headers: Headers): boolean {
  const remaining = headers.get('x-rate-limit-remaining') ?? headers.get('x-ratelimit-remaining') ?? headers.get('ratelimit-remaining');
  return remaining !== null && Number(remaining) < 1;
}

/**
 * HTTP for one connector: spaces calls to its per-minute quota, retries 5xx and dropped
 * connections with back-off, turns 429 (and quota-exhausted 403s) into RateLimitedError
 * carrying the time the source gave, and validates JSON against the documented shape.
 */
export class HttpClient {
  private nextSlot = 0;
  private readonly o: Required<Omit<HttpClientOptions, 'perMinute' | 'signal'>> & Pick<HttpClientOptions, 'perMinute' | 'signal'>;

  constructor(options: HttpClientOptions) {
    this.o = {
      retries: 3,
      backoffMs: 1000,
      maxBackoffMs: 60_000,
      timeoutMs: 30_000,
      userAgent: 'earshot/0.1 (self-hosted social listening)',
      fetch: globalThis.fetch,
      sleep: realSleep,
      random: Math.random,
      ...options,
    };
  }

  /** GET (or send) and parse JSON against `schema`. */
  async json<S extends z.ZodType>(url: string, schema: S, options: RequestOptions = {}): Promise<z.infer<S>> {
    const res = await this.request(url, { ...options, headers: { accept: 'application/json', ...options.headers } });
    return jsonAnswer(url, res, schema);
  }

  async request(url: string, options: RequestOptions = {}): Promise<HttpResponse> {
    const { clock, sleep, random } = this.o;
    return withRetries(
      async (attempt) => {
        await this.takeSlot();
        let res: Response;
        let text: string;
        try {
          const signals = [AbortSignal.timeout(this.o.timeoutMs), ...(this.o.signal ? [this.o.signal] : [])];
          res = await this.o.fetch(url, {
            method: options.method ?? 'GET',
            headers: { 'user-agent': this.o.userAgent, ...options.headers },
            body: options.body,
            signal: AbortSignal.any(signals),
            redirect: 'follow',
          });
          text = await res.text();
        } catch (err) {
          if (this.o.signal?.aborted) throw err;
          throw new HttpError(null, `${describeUrl(url)}: ${causeOf(err)} (after ${attempt} attempt${attempt === 1 ? '' : 's'})`);
        }
        const now = clock.now();
        if (quotaExhausted(res.headers)) {
          const at = retryAtFrom(res.headers, now);
          if (at !== null) this.nextSlot = Math.max(this.nextSlot, at);
        }
        if ((res.status >= 200 && res.status < 300) || options.accept?.includes(res.status)) return { status: res.status, headers: res.headers, text };
        if (res.status === 429 || (res.status === 403 && /quota|rate.?limit/i.test(text))) {
          const at = retryAtFrom(res.headers, now) ?? now + (res.status === 429 ? 60_000 : 15 * 60_000);
          this.nextSlot = Math.max(this.nextSlot, at);
          throw new RateLimitedError(at, `${describeUrl(url)} answered ${res.status}; retrying after ${new Date(at).toISOString()}`);
        }
        throw new HttpError(res.status, `${describeUrl(url)} answered ${res.status}: ${snippet(text)}`, text);
      },
      {
        attempts: this.o.retries + 1,
        baseMs: this.o.backoffMs,
        capMs: this.o.maxBackoffMs,
        // Network failures and 5xx; a 4xx or a rate limit is not cured by asking again now.
        retryable: (err) => err instanceof HttpError && (err.status === null || err.status >= 500),
        signal: this.o.signal,
        sleep,
        random,
      },
    );
  }

  /** Waits for this connector's next request slot under its quota. */
  private async takeSlot(): Promise<void> {
    const now = this.o.clock.now();
    const spacing = this.o.perMinute ? 60_000 / this.o.perMinute : 0;
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + spacing;
    if (at > now) {
      // A wait longer than a poll should block is the runner's business, not ours.
      if (at - now > 5 * 60_000) throw new RateLimitedError(at, `quota used up until ${new Date(at).toISOString()}`);
      await this.o.sleep(at - now, this.o.signal);
    }
  }
}

/** An answer's body as JSON in the documented shape, or a MalformedResponseError naming what is wrong. */
export function jsonAnswer<S extends z.ZodType>(url: string, res: HttpResponse, schema: S): z.infer<S> {
  let body: unknown;
  try {
    body = JSON.parse(res.text);
  } catch {
    throw new MalformedResponseError(`${describeUrl(url)} answered ${res.status} with a body that is not JSON: ${snippet(res.text)}`);
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedResponseError(`${describeUrl(url)} answered in an unexpected shape: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** The URL without its query string, which can hold API keys. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.split('?')[0] ?? url;
  }
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t || '(empty body)';
}

function causeOf(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
