import { z } from 'zod';
import { INTENT_LABELS, SENTIMENT_LABELS, describeZodError } from '@earshot/shared';

export { definedOnly } from '@earshot/shared';

/** What ClickHouse's DateTime holds (1970 up to 2106); a time outside it cannot match anything stored. */
const STORABLE = { from: Date.UTC(1970, 0, 1), to: Date.UTC(2106, 0, 1) };

/**
 * An ISO 8601 date or date-time the store can compare with, kept as given. `Date.parse`
 * alone takes "99999" as a year, which ClickHouse then refuses with a 500.
 */
export const timeText = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/, 'must be an ISO 8601 date-time, e.g. 2026-11-20T00:00:00Z')
  .refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO 8601 date-time, e.g. 2026-11-20T00:00:00Z')
  .refine((s) => Date.parse(s) >= STORABLE.from && Date.parse(s) < STORABLE.to, 'must be between 1970-01-01 and 2105-12-31');

export const time = timeText.transform((s) => new Date(s));

export const MentionsQuerySchema = z.object({
  brand: z.string().min(1).max(64).optional(),
  source: z.string().min(1).max(64).optional(),
  sentiment: z.enum(SENTIMENT_LABELS).optional(),
  intent: z
    .string()
    .regex(/^[a-z_]{1,64}$/, 'must be an intent such as complaint')
    .optional(),
  lang: z
    .string()
    .regex(/^[a-z]{2,3}$/, 'must be a language code such as en')
    .optional(),
  /** Words the text holds, case-insensitively. */
  q: z.string().min(1).max(200).optional(),
  /** One story's mentions, those stored under stories merged into it included. */
  story: z.string().min(1).max(64).optional(),
  from: time.optional(),
  to: time.optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

const INTERVAL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** "90s", "5m", "1h", "1d" or plain seconds. */
export const intervalSeconds = z
  .string()
  .regex(/^\d+[smhd]?$/, 'must look like 5m, 1h, 1d or a number of seconds')
  .transform((s) => {
    const unit = /[smhd]$/.test(s) ? s.slice(-1) : 's';
    return Number.parseInt(s, 10) * INTERVAL_UNITS[unit]!;
  })
  .pipe(
    z
      .number()
      .int()
      .min(60, 'must be at least 1m')
      .max(31 * 86400, 'must be at most 31d'),
  );

export const SentimentStatsQuerySchema = z.object({
  brand: z.string().min(1).max(64),
  source: z.string().min(1).max(64).optional(),
  from: time.optional(),
  to: time.optional(),
  interval: intervalSeconds.default(3600),
  intent: z.enum(INTENT_LABELS).optional(),
});

/** An error with an HTTP status; the app's error handler answers it with the status and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export class QueryError extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.infer<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new QueryError(`invalid query: ${describeZodError(parsed.error)}`);
  return parsed.data;
}

export const VolumeQuerySchema = z.object({
  /** What to split the volume by: brand (share of voice) or source. */
  by: z.enum(['brand', 'source']),
  brand: z.string().min(1).max(64).optional(),
  source: z.string().min(1).max(64).optional(),
  from: time.optional(),
  to: time.optional(),
  interval: intervalSeconds.default(3600),
});

export const CareStatsQuerySchema = z.object({
  brand: z.string().min(1).max(64),
  source: z.string().min(1).max(64).optional(),
  from: time.optional(),
  to: time.optional(),
});

export const CareQueueQuerySchema = z.object({
  brand: z.string().min(1).max(64).optional(),
  source: z.string().min(1).max(64).optional(),
  /** Only items asked within this many hours. */
  hours: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .default(72),
  /** A range instead of `hours`: items first asked in [from, to), e.g. a pinned past range. */
  from: time.optional(),
  to: time.optional(),
  sort: z.enum(['priority', 'oldest', 'reach']).default('priority'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const CareItemParamsSchema = z.object({
  brand: z.string().min(1).max(64),
  source: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be a source name such as "twitter"'),
  conversation: z.string().min(1).max(512),
});

export const AuthorParamsSchema = z.object({
  source: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be a source name such as "twitter"'),
  id: z.string().min(1).max(256),
});

export const AuthorLinksBodySchema = z.object({ links: z.array(AuthorParamsSchema).min(1).max(100) });

/** Who made a request: the API key's name, or "local" on a server with no keys (the demo). */
export const actorOf = (res: { locals: Record<string, unknown> }) => (typeof res.locals.actor === 'string' ? res.locals.actor : 'local');
