import type { Mention } from '@earshot/shared';
import type { ConnectorContext, Cursor, Harvest, PollConnector, Unusable } from './types.js';

export interface Page<T> {
  items: T[];
  /** Token, URL or page number for the next (older) page; absent on the last one. */
  next?: string | null;
}

/**
 * The common shape of search and review APIs: newest first, paged backwards. Reads pages
 * until one reaches back past `since` (the newest time already harvested, less an overlap
 * for items indexed late), there is no next page, or `maxPages` is reached. Items seen
 * before come again and are dropped by the runner's recent-id check, so nothing on the
 * boundary is lost.
 */
export async function harvestNewestFirst<T>(opts: {
  cursor: Cursor;
  now: number;
  lookbackHours: number;
  /** Looked at again before the cursor, for items indexed late. */
  overlapMinutes?: number;
  maxPages: number;
  fetchPage(next: string | undefined, since: number): Promise<Page<T>>;
  /** Event time of a raw item, or null when it has none usable. */
  timeOf(item: T): number | null;
  /** The mentions one raw item stands for (a review and the brand's reply, say), or why it cannot be used. */
  normalise(item: T): Mention[] | Unusable;
}): Promise<Harvest> {
  const newestBefore = typeof opts.cursor.since === 'number' ? opts.cursor.since : null;
  const since = newestBefore !== null ? newestBefore - (opts.overlapMinutes ?? 0) * 60_000 : opts.now - opts.lookbackHours * 3_600_000;
  const mentions: Mention[] = [];
  const unusable: Unusable[] = [];
  let newestSeen = newestBefore ?? since;
  let next: string | undefined;
  for (let page = 0; page < opts.maxPages; page++) {
    const { items, next: following } = await opts.fetchPage(next, since);
    let reachedSince = false;
    for (const item of items) {
      const t = opts.timeOf(item);
      if (t !== null && t < since) {
        reachedSince = true;
        continue;
      }
      if (t !== null) newestSeen = Math.max(newestSeen, t);
      const out = opts.normalise(item);
      if (Array.isArray(out)) mentions.push(...out);
      else unusable.push(out);
    }
    if (reachedSince || !following || items.length === 0) break;
    next = following;
  }
  return { mentions, unusable, cursor: { ...opts.cursor, since: newestSeen } };
}

/** Validates one raw item against its documented shape; the reason names the first bad field. */
export function itemOrUnusable<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } }, raw: unknown, what: string): T | Unusable {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return { reason: `${what} is not in the documented shape: ${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message}`, payload: raw };
}

export const isUnusable = (v: unknown): v is Unusable =>
  typeof v === 'object' && v !== null && 'reason' in v && 'payload' in v && Object.keys(v).length === 2;

/**
 * A poll connector over a newest-first API: the source says how to fetch a page (with
 * the connector's HTTP client and clock), when an item happened and what it stands for;
 * the window (look-back, overlap, page limit) comes from the source's options.
 */
export function newestFirstPoll<T>(
  o: { lookback_hours: number; overlap_minutes: number; max_pages: number },
  source: string,
  parts: {
    fetchPage(next: string | undefined, since: number, ctx: ConnectorContext): Promise<Page<T>>;
    timeOf(item: T): number | null;
    normalise(item: T): Mention[] | Unusable;
  },
): PollConnector {
  return {
    kind: 'poll',
    source,
    poll: (cursor, ctx) =>
      harvestNewestFirst({
        cursor,
        now: ctx.clock.now(),
        lookbackHours: o.lookback_hours,
        overlapMinutes: o.overlap_minutes,
        maxPages: o.max_pages,
        fetchPage: (next, since) => parts.fetchPage(next, since, ctx),
        timeOf: parts.timeOf,
        normalise: parts.normalise,
      }),
  };
}
