import { z } from 'zod';
import { parse } from 'yaml';
import cron from 'node-cron';
import { ALERT_KINDS, describeZodError } from '@earshot/shared';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/Berlin or UTC');

/** "08:00-18:00" (may wrap midnight: "22:00-07:00"), as minutes of the day. */
const hourRange = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, 'must look like 08:00-18:00')
  .transform((s) => {
    const [a, b] = s.split('-').map((t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3, 5)));
    return { from: a!, to: b!, text: s };
  });
export type HourRange = z.infer<typeof hourRange>;

const duration = z
  .string()
  .regex(/^\d+[smhd]$/, 'must look like 30m, 2h or 1d')
  .transform((s) => Number.parseInt(s, 10) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[s.slice(-1) as 's' | 'm' | 'h' | 'd']);

const severity = z.number().int().min(1).max(10);

/** The kind a route names to receive the scheduled digests; no alert has it. */
export const DIGEST_KIND = 'digest';

const cronExpression = z.string().refine((c) => cron.validate(c), 'must be a cron expression such as "0 8 * * *" (node-cron; a sixth field first for seconds)');

/** When the digests go out, in the schedule's time zone: each covers the last whole day (midnight to midnight) or week (Monday to Monday) there. */
const DigestScheduleSchema = z
  .object({
    day: cronExpression.default('0 8 * * *'),
    week: cronExpression.default('0 8 * * 1'),
    /** Default: the file's time zone. */
    timezone: timeZone.optional(),
  })
  .strict();
export type DigestSchedule = z.infer<typeof DigestScheduleSchema>;
/** Daily at 08:00, weekly on Mondays at 08:00. */
export const DEFAULT_DIGEST_SCHEDULE: DigestSchedule = { day: '0 8 * * *', week: '0 8 * * 1' };
const url = z.url();

const ChannelSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('webhook'), url }).strict(),
  z.object({ type: z.literal('slack'), url }).strict(),
  z.object({ type: z.literal('teams'), url }).strict(),
  z.object({ type: z.literal('alertmanager'), url }).strict(),
  z.object({ type: z.literal('email'), to: z.array(z.email()).min(1) }).strict(),
]);
export type ChannelConfig = z.infer<typeof ChannelSchema>;

const RouteSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'route names are lower-case letters, digits, - and _'),
    /** Every condition given must hold; one not given matches anything. */
    match: z
      .object({
        brands: z.array(z.string().min(1)).min(1).optional(),
        /** Alert kinds, and `digest` for the scheduled digests (which only `brands` narrows). */
        kinds: z
          .array(z.enum([...ALERT_KINDS, DIGEST_KIND]))
          .min(1)
          .optional(),
        sources: z.array(z.string().min(1)).min(1).optional(),
        /** The severity floor, 1–10. */
        min_severity: severity.optional(),
        /** Local days and hours in which the route applies (e.g. the care desk's shifts). */
        days: z.array(z.enum(WEEKDAYS)).min(1).optional(),
        hours: hourRange.optional(),
      })
      .strict()
      .default({}),
    /** Alerts under the severity floor go to the daily digest instead of nowhere. */
    below_floor: z.enum(['drop', 'digest']).default('drop'),
    /** Hours in which the route only collects for the digest, unless an alert is at least `except_severity`. */
    quiet_hours: z.object({ hours: hourRange, except_severity: severity.optional() }).strict().optional(),
    /** After sending for a brand and kind, hold further alerts of that brand and kind this long (to the digest). */
    cooldown: duration.optional(),
    timezone: timeZone.optional(),
    channels: z.array(z.string().min(1)).min(1),
  })
  .strict();
export type Route = z.infer<typeof RouteSchema>;

const RoutesFileSchema = z
  .object({
    /** The time zone for routes that name none (default UTC). */
    timezone: timeZone.default('UTC'),
    /** When daily and weekly digests go to the routes whose kinds include `digest`. */
    digests: DigestScheduleSchema.default(DEFAULT_DIGEST_SCHEDULE),
    channels: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'channel names are lower-case letters, digits, - and _'), ChannelSchema),
    routes: z.array(RouteSchema).min(1, 'lists no routes'),
  })
  .strict()
  .superRefine((f, ctx) => {
    const names = new Set<string>();
    for (const [i, r] of f.routes.entries()) {
      if (names.has(r.name)) ctx.addIssue({ code: 'custom', path: ['routes', i, 'name'], message: `route "${r.name}" is named twice` });
      names.add(r.name);
      for (const c of r.channels)
        if (!f.channels[c])
          ctx.addIssue({ code: 'custom', path: ['routes', i, 'channels'], message: `names channel "${c}", which the channels section does not define` });
        else if (r.match.kinds?.includes(DIGEST_KIND) && f.channels[c].type === 'alertmanager')
          ctx.addIssue({
            code: 'custom',
            path: ['routes', i, 'channels'],
            message: `sends digests to "${c}", an Alertmanager channel, which takes alerts only`,
          });
    }
  });
export type RoutesFile = z.infer<typeof RoutesFileSchema>;

export class RoutesFileError extends Error {
  override readonly name = 'RoutesFileError';
}

/** Reads a routes file (YAML or JSON); a bad one is an error naming the file and each problem. */
export function parseRoutesFile(path: string, text: string): RoutesFile {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new RoutesFileError(`${path}: not valid YAML: ${(err as Error).message}`);
  }
  const parsed = RoutesFileSchema.safeParse(raw);
  if (!parsed.success) throw new RoutesFileError(`${path}: ${describeZodError(parsed.error)}`);
  return parsed.data;
}
