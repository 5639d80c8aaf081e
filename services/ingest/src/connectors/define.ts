import { z } from 'zod';
import cron from 'node-cron';
import type { Connector } from './types.js';

export const cronExpression = z.string().refine((s) => cron.validate(s), 'is not a cron expression (5 fields, or 6 with seconds)');

/** Options every source accepts, whatever its type. */
export const BaseSourceSchema = z.object({
  /** Names the connector in checkpoints, metrics and /healthz; defaults to "<brand>.<type>". */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,127}$/, 'lower-case letters, digits, ".", "_" and "-"')
    .optional(),
  schedule: cronExpression.optional(),
  rate_limit_per_minute: z.number().positive().max(100_000).optional(),
  /** The API's address; only for proxies, regional hosts and tests. */
  base_url: z.url().optional(),
  /** Pages one poll may read before it stops and resumes next time. */
  max_pages: z.number().int().min(1).max(1000).default(10),
  /**
   * How far before the newest item already seen each poll looks again, for items a
   * search index shows late; repeats are dropped by id.
   */
  overlap_minutes: z
    .number()
    .min(0)
    .max(24 * 60)
    .default(10),
  /** How far back the very first poll reaches. */
  lookback_hours: z
    .number()
    .positive()
    .max(24 * 365)
    .default(24),
  /**
   * Items a connector may read from the source per calendar month (UTC); when spent it
   * pauses until the month ends. For paid APIs that bill per item read (X).
   */
  monthly_read_budget: z.number().int().positive().optional(),
  refresh: z
    .union([
      z.literal(false),
      z.object({
        schedule: cronExpression.default('*/5 * * * *'),
        hours: z
          .number()
          .positive()
          .max(24 * 14)
          .default(6),
      }),
    ])
    .optional(),
});
export type BaseSource = z.infer<typeof BaseSourceSchema>;

/**
 * A re-check of everything a source has stored, on a schedule of its own: `idsPerRun`
 * stored ids (in id order, wrapping round) are looked up each run through the connector's
 * `refresh`, and only what the source reports gone is acted on; with `retentionDays`,
 * what is older is erased without asking.
 */
export interface SweepPlan {
  schedule: string;
  idsPerRun: number;
  retentionDays: number | null;
}

export interface BrandRef {
  id: string;
}

export interface SourceDefinition<S extends z.ZodObject = z.ZodObject> {
  /** `type:` in the brands file. */
  type: string;
  /** The Mention `source` it produces. */
  source: string;
  /** One line for the README's source list. */
  summary: string;
  /** Type-specific options, merged with BaseSourceSchema. */
  options: S;
  /** Environment variables it cannot run without, given its options. */
  secrets(options: z.infer<S>): string[];
  /** Everything it returns is about the brand by construction (its review page, its app). */
  owned: boolean;
  defaultSchedule: string;
  /**
   * Why the service cannot show an item that appears late with an older time than items
   * already read (it lists by a time the item keeps, with no look-back), for a source that
   * cannot; docs/connectors.md's "cannot see" table says the same.
   */
  lateItems?: string;
  /** Engagement refresh only when the brands file asks for it (`refresh: {...}`): the source bills each read. */
  refreshOptIn?: boolean;
  /**
   * For sources that one connection serves for the whole network or app (X allows one
   * filtered-stream connection per app; Jetstream is the whole firehose): the key of that
   * connection. Every brand's entry with the same key runs as one connector, created with
   * all of them as `members`.
   */
  networkWide?(options: z.infer<S> & BaseSource): string;
  /**
   * A limit the service sets per account across every source that uses the account
   * (Instagram: 30 hashtags in 7 days): the brands file refuses more than `max` unique `uses`
   * for one `account` in all.
   */
  perAccount?(options: z.infer<S> & BaseSource): { account: string; uses: string[]; max: number; what: string };
  /** Its sweep over the stored mentions, where its service's terms ask for one (Reddit: deletions); null when turned off. */
  sweep?(options: z.infer<S> & BaseSource): SweepPlan | null;
  create(
    options: z.infer<S> & BaseSource,
    ctx: { env: (name: string) => string | undefined; brand: BrandRef; connectorId: string; members: { brand: string; options: z.infer<S> & BaseSource }[] },
  ): Connector;
}

export const defineSource = <S extends z.ZodObject>(d: SourceDefinition<S>): SourceDefinition<S> => d;

/** Reads a secret the loader has already checked is set. */
export function requireEnv(env: (name: string) => string | undefined, name: string): string {
  const v = env(name);
  if (!v) throw new Error(`${name} is not set`);
  return v;
}
