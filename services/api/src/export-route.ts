import type { Response, Router } from 'express';
import { csvRecord, exactRouter, MentionTable, type ClickHouseClient, type Logger } from '@earshot/shared';
import { toApiMention, type MentionRecord } from './mentions-route.js';
import { MentionsQuerySchema, parseQuery } from './query-params.js';

/** The filters of GET /v1/mentions; the export has no page size or offset: it is every match. */
export const MentionsExportQuerySchema = MentionsQuerySchema.omit({ limit: true, offset: true });

const PAGE = 5000;

export const MENTION_CSV_COLUMNS = [
  'created_at',
  'source',
  'id',
  'brands',
  'author_handle',
  'author_name',
  'author_followers',
  'text',
  'title',
  'url',
  'lang',
  'sentiment',
  'sentiment_score',
  'intents',
  'journey_stage',
  'likes',
  'shares',
  'replies',
  'views',
  'ingested_at',
] as const;

function mentionCells(r: MentionRecord): (string | number | undefined)[] {
  const m = toApiMention(r);
  return [
    m.created_at,
    m.source,
    m.id,
    m.brands.join(';'),
    m.author.handle,
    m.author.name,
    m.author.followers,
    m.text,
    m.title,
    m.url,
    m.lang,
    m.sentiment.label,
    m.sentiment.score,
    m.intents.map((i) => i.label).join(';'),
    m.journey_stage ?? undefined,
    m.engagement.likes,
    m.engagement.shares,
    m.engagement.replies,
    m.engagement.views,
    m.ingested_at,
  ];
}

/** Writes, waiting for the client to take what was sent when its buffer is full. */
const write = (res: Response, text: string) => (res.write(text) ? Promise.resolve() : new Promise<void>((resolve) => res.once('drain', resolve)));

/**
 * GET /v1/mentions.csv: every mention GET /v1/mentions would list with the same filters,
 * newest first, as CSV, streamed page by page from the store (keyset paging, so mentions
 * arriving meanwhile neither repeat nor shift rows).
 */
export function createExportRouter(deps: { client: ClickHouseClient; logger: Logger }): Router {
  const router = exactRouter();
  router.get('/v1/mentions.csv', async (req, res) => {
    const q = parseQuery(MentionsExportQuerySchema, req.query);
    const table = new MentionTable(deps.client);
    // The first page is read before the headers go, so a store failure is still a clean 5xx.
    let page = await table.search<MentionRecord>({ ...q, limit: PAGE, offset: 0 });
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="mentions${q.brand ? `-${q.brand.replace(/[^\w.-]/g, '_')}` : ''}.csv"`);
    await write(res, csvRecord(MENTION_CSV_COLUMNS));
    try {
      for (;;) {
        if (res.destroyed) return;
        if (page.length) await write(res, page.map((r) => csvRecord(mentionCells(r))).join(''));
        if (page.length < PAGE) break;
        const last = page[page.length - 1]!;
        page = await table.search<MentionRecord>({ ...q, after: { created_at: last.created_at, source: last.source, id: last.id }, limit: PAGE, offset: 0 });
      }
      res.end();
    } catch (err) {
      // Headers are gone: cutting the connection is how the client learns the file is incomplete.
      deps.logger.error({ err }, 'the CSV export failed part way; the connection is cut');
      res.destroy(err as Error);
    }
  });
  return router;
}
