import { createHash } from 'node:crypto';
import { z } from 'zod';
import { XMLParser } from 'fast-xml-parser';
import type { Mention } from '@earshot/shared';
import { defineSource } from '../define.js';
import { MalformedResponseError } from '../http.js';
import { boundedId, htmlToText, scalarText } from '../text.js';
import type { Harvest, Unusable } from '../types.js';

/** Ids of one document kept to tell new items (a feed of more is rare; the runner's recent ids still drop repeats). */
const MAX_IDS_KEPT = 2000;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  isArray: (name) => name === 'item' || name === 'entry' || name === 'link',
});

type Node = Record<string, unknown>;
const asText = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (Array.isArray(v)) return asText(v[0]);
  if (typeof v === 'object') return asText((v as Node)['#text'] ?? (v as Node)['name']);
  return '';
};

/** Google Alerts wraps each link in a redirect; the reader wants the article. */
function unwrapLink(href: string): string {
  try {
    const u = new URL(href);
    if (u.hostname.endsWith('google.com') && u.pathname === '/url') return u.searchParams.get('url') ?? href;
  } catch {
    /* not a URL; kept as is */
  }
  return href;
}

function linkOf(entry: Node): string {
  const links = (entry.link as unknown[] | undefined) ?? [];
  for (const l of links) {
    if (typeof l === 'string') return l;
    const n = l as Node;
    if (!n['@rel'] || n['@rel'] === 'alternate') return scalarText(n['@href'] ?? n['#text']);
  }
  return '';
}

interface FeedItem {
  id: string;
  title: string;
  text: string;
  link: string;
  date: number | null;
  author: string;
}

/** Items of an RSS 2.0, RSS 1.0 (RDF) or Atom document. */
export function parseFeed(xml: string): { title: string; items: FeedItem[] } {
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch (err) {
    throw new MalformedResponseError(`feed is not XML: ${(err as Error).message}`);
  }
  const rss = (doc.rss as Node | undefined)?.channel as Node | undefined;
  const rdf = doc['rdf:RDF'] as Node | undefined;
  const atom = doc.feed as Node | undefined;
  const channel = rss ?? (rdf?.channel as Node | undefined) ?? atom;
  if (!channel) throw new MalformedResponseError('document is neither RSS nor Atom');
  const raw = ((rss ? rss.item : rdf ? rdf.item : atom?.entry) as Node[] | undefined) ?? [];
  const feedTitle = htmlToText(asText(channel.title));
  return {
    title: feedTitle,
    items: raw.map((e) => {
      const link = unwrapLink(linkOf(e));
      const dateText = asText(e.pubDate ?? e['dc:date'] ?? e.published ?? e.updated);
      const date = dateText ? Date.parse(dateText) : NaN;
      const id = asText(e.guid ?? e.id) || link;
      return {
        id,
        title: htmlToText(asText(e.title)),
        text: htmlToText(asText(e['content:encoded'] ?? e.content ?? e.description ?? e.summary)),
        link,
        date: Number.isFinite(date) ? date : null,
        author: htmlToText(asText(e['dc:creator'] ?? e.author)) || feedTitle,
      };
    }),
  };
}

export const rss = defineSource({
  type: 'rss',
  source: 'rss',
  summary: 'RSS 2.0, RSS 1.0 and Atom feeds (news, blogs, Google Alerts), fetched conditionally with ETag and Last-Modified.',
  options: z.object({
    type: z.literal('rss'),
    url: z.url(),
    /** The Mention source to record, e.g. "news" or "blog". */
    source_name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/)
      .default('rss'),
  }),
  secrets: () => [],
  owned: false,
  defaultSchedule: '*/15 * * * *',
  create(o) {
    const url = o.base_url ? new URL(new URL(o.url).pathname + new URL(o.url).search, o.base_url).toString() : o.url;
    return {
      kind: 'poll',
      source: o.source_name,
      async poll(cursor, { http, clock }): Promise<Harvest> {
        const headers: Record<string, string> = { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5' };
        if (typeof cursor.etag === 'string') headers['if-none-match'] = cursor.etag;
        if (typeof cursor.last_modified === 'string') headers['if-modified-since'] = cursor.last_modified;
        const res = await http.request(url, { headers, accept: [304] });
        if (res.status === 304) return { mentions: [], unusable: [], cursor };
        const feed = parseFeed(res.text);
        const now = clock.now();
        // `pubDate` is when an item was published, not when the feed added it (news sites and
        // Google Alerts add items late, back-dated): after the first poll an item is new when
        // its id was not in the feed last time, whatever its date. Only the first poll (or one
        // from a checkpoint made before ids were kept) limits by date, to the look-back.
        const before = Array.isArray(cursor.ids) ? new Set(cursor.ids as unknown[]) : null;
        const newestBefore = typeof cursor.since === 'number' ? cursor.since : null;
        const since = newestBefore !== null ? newestBefore - o.overlap_minutes * 60_000 : now - o.lookback_hours * 3_600_000;
        const mentions: Mention[] = [];
        const unusable: Unusable[] = [];
        const ids: string[] = [];
        for (const item of feed.items) {
          // An item with no id is known by its content, so it is dead-lettered once, not every poll.
          const key = item.id
            ? boundedId(item.id)
            : `no-id:${createHash('sha256').update(`${item.title}\n${item.text}\n${item.date}`).digest('hex').slice(0, 32)}`;
          if (ids.length < MAX_IDS_KEPT) ids.push(key);
          if (before ? before.has(key) : item.date !== null && item.date < since) continue;
          if (!item.id) {
            unusable.push({ reason: 'feed item has no guid, id or link', payload: item });
            continue;
          }
          let link: string | undefined;
          try {
            link = item.link ? new URL(item.link).toString() : undefined;
          } catch {
            link = undefined;
          }
          const host = link ? new URL(link).host : new URL(url).host;
          mentions.push({
            id: boundedId(item.id),
            source: o.source_name,
            text: item.text || item.title,
            ...(item.title ? { title: item.title.slice(0, 1024) } : {}),
            created_at: new Date(item.date ?? now).toISOString(),
            author: { id: host, handle: host, ...(item.author ? { name: item.author.slice(0, 512) } : {}) },
            ...(link ? { url: link } : {}),
            metadata: { feed: feed.title },
          });
        }
        const { since: _since, ...rest } = cursor;
        return {
          mentions,
          unusable,
          cursor: {
            ...rest,
            ids,
            ...(res.headers.get('etag') ? { etag: res.headers.get('etag') } : {}),
            ...(res.headers.get('last-modified') ? { last_modified: res.headers.get('last-modified') } : {}),
          },
        };
      },
    };
  },
});
