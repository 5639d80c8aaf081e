import type { Mention } from '@earshot/shared';
import type { ConnectorContext, Cursor, Harvest, PollConnector, Unusable } from './types.js';

export interface Page<T> {
  items: T[];
  /** Token, URL or page number for the next (older) page; absent on the last one. */
  next?: string | null;
  /** What the user should know about this page (part of it the source could not give). */
  notice?: string;
}

/**
 * Pages of a burst that one poll could not reach: where to resume (the page token the
 * poll stopped at) and how far back the pass meant to go. Kept in the cursor and drained
 * by the following polls, oldest first, so a burst larger than `max_pages` loses nothing.
 */
export interface Backlog {
  next: string;
  since: number;
}

interface Pass<T> {
  start: string | undefined;
  since: number;
  budget: number;
  fetchPage(next: string | undefined, since: number): Promise<Page<T>>;
  timeOf(item: T): number | null;
  normalise(item: T): Mention[] | Unusable;
  into: { mentions: Mention[]; unusable: Unusable[]; notices: string[] };
}

/** Reads pages from `start` back to `since`; returns the newest time seen and, when the budget ran out first, where to go on. */
async function readPass<T>(p: Pass<T>): Promise<{ newest: number | null; pages: number; stoppedAt: string | null }> {
  let newest: number | null = null;
  let next = p.start;
  for (let page = 0; page < p.budget; page++) {
    const { items, next: following, notice } = await p.fetchPage(next, p.since);
    if (notice) p.into.notices.push(notice);
    let reachedSince = false;
    for (const item of items) {
      const t = p.timeOf(item);
      if (t !== null && t < p.since) {
        reachedSince = true;
        continue;
      }
      if (t !== null) newest = Math.max(newest ?? t, t);
      const out = p.normalise(item);
      if (Array.isArray(out)) p.into.mentions.push(...out);
      else p.into.unusable.push(out);
    }
    if (reachedSince || !following || items.length === 0) return { newest, pages: page + 1, stoppedAt: null };
    next = following;
  }
  return { newest, pages: p.budget, stoppedAt: next ?? null };
}

const backlogOf = (cursor: Cursor): Backlog[] =>
  Array.isArray(cursor.backlog) ? (cursor.backlog as Backlog[]).filter((b) => typeof b?.next === 'string' && typeof b?.since === 'number') : [];

/**
 * The common shape of search and review APIs: newest first, paged backwards. Reads pages
 * until one reaches back past `since` (the newest time already harvested, less an overlap
 * for items indexed late), there is no next page, or `maxPages` is reached. Items seen
 * before come again and are dropped by the runner's recent-id check, so nothing on the
 * boundary is lost. When the page limit stops a pass early, the rest is remembered as a
 * backlog and read by the next polls (up to `maxPages` more pages each).
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
  const into = { mentions: [] as Mention[], unusable: [] as Unusable[], notices: [] as string[] };
  const pass = { fetchPage: opts.fetchPage, timeOf: opts.timeOf, normalise: opts.normalise, into };

  // What earlier bursts left behind first, oldest gap first, so the backlog cannot starve.
  const backlog: Backlog[] = [];
  let drainBudget = opts.maxPages;
  for (const gap of backlogOf(opts.cursor)) {
    if (drainBudget <= 0) {
      backlog.push(gap);
      continue;
    }
    const r = await readPass({ ...pass, start: gap.next, since: gap.since, budget: drainBudget });
    drainBudget -= r.pages;
    if (r.stoppedAt) backlog.push({ next: r.stoppedAt, since: gap.since });
  }

  const top = await readPass({ ...pass, start: undefined, since, budget: opts.maxPages });
  if (top.stoppedAt) backlog.push({ next: top.stoppedAt, since });
  const { backlog: _old, ...rest } = opts.cursor;
  const { notices, ...found } = into;
  return {
    ...found,
    ...(notices.length ? { notices } : {}),
    cursor: { ...rest, since: Math.max(newestBefore ?? since, top.newest ?? since), ...(backlog.length ? { backlog } : {}) },
  };
}

/** Validates one raw item against its documented shape; the reason names the first bad field. */
export function itemOrUnusable<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } } },
  raw: unknown,
  what: string,
): T | Unusable {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return { reason: `${what} is not in the documented shape: ${issue?.path.map(String).join('.') || '(root)'}: ${issue?.message}`, payload: raw };
}

/** A time in epoch ms, or null where there is none (the pager cannot place such an item). */
export const timeOrNull = (t: number): number | null => (Number.isFinite(t) ? t : null);

/** When an item happened, read at `path` in it: ISO text, or epoch ms as a number; null when absent or unreadable. */
export const timeField =
  (...path: string[]) =>
  (raw: unknown): number | null => {
    let v: unknown = raw;
    for (const k of path) v = (v as Record<string, unknown> | null)?.[k];
    return timeOrNull(typeof v === 'number' ? v : Date.parse(String(v)));
  };

export const isUnusable = (v: unknown): v is Unusable => typeof v === 'object' && v !== null && 'reason' in v && 'payload' in v && Object.keys(v).length === 2;

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
