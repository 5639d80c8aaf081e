import { TupleParam, type ClickHouseClient } from '@clickhouse/client';
import { erasedAuthorKey } from './erased-authors.js';
import { deleteMentions } from './mention-copies.js';
import { toClickHouseTime } from './rows.js';
import { StoryStore } from './stories.js';
import { viewQueryOver } from './view-query.js';

export interface ErasureReport {
  mentions: number;
  complaint_term_hours: number;
  handoffs: number;
  links: number;
  alerts: number;
  dead_letters: number;
  /** Stories their mentions were in, whose label and samples were rebuilt from the rest. */
  stories: number;
}

/**
 * Erases one author everywhere Earshot keeps their data: their mentions (and the copies
 * care reads); the hourly
 * complaint terms their texts fed (rebuilt from what remains); helpdesk hand-offs;
 * identity links; their posts among alert samples; dead letters holding their mentions;
 * the rows of the stories they were in (label and samples rebuilt from the rest).
 * The author is first added (hashed) to `erased_authors`, so the writer drops anything
 * of theirs still in flight. Count rollups keep their numbers, which name nobody.
 */
export async function eraseAuthor(client: ClickHouseClient, source: string, authorId: string, now: number): Promise<ErasureReport> {
  const sync = { mutations_sync: '2' } as const;
  const who = { source, author: authorId };
  const rows = async <T>(query: string, params: Record<string, unknown> = who) =>
    (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
  await client.insert({
    table: 'erased_authors',
    values: [{ source, author_id: erasedAuthorKey(source, authorId), erased_at: toClickHouseTime(now) }],
    format: 'JSONEachRow',
  });

  const ids = (await rows<{ id: string }>('SELECT id FROM mentions WHERE source = {source:String} AND author_id = {author:String}')).map((r) => r.id);
  const hours = await rows<{ brand: string; source: string; hour: string }>(
    `SELECT DISTINCT arrayJoin(if(empty(brands), [''], brands)) AS brand, source, toString(toStartOfHour(created_at)) AS hour
     FROM mentions WHERE source = {source:String} AND author_id = {author:String} AND has(intents, 'complaint')`,
  );
  const storyStore = new StoryStore(client);
  const stories = await storyStore.storiesOf('source = {source:String} AND author_id = {author:String}', who);
  await deleteMentions(client, 'source = {source:String} AND author_id = {author:String}', who);
  await storyStore.rebuild(stories);

  if (hours.length) {
    const keys = { keys: hours.map((h) => new TupleParam([h.brand, h.source, h.hour])) };
    await client.command({
      query: 'ALTER TABLE complaint_terms_1h DELETE WHERE (brand, source, toString(hour)) IN {keys:Array(Tuple(String, String, String))}',
      query_params: keys,
      clickhouse_settings: sync,
    });
    // The view's own query, over the affected hours of the mentions that remain, so the
    // rebuilt rows are what the view would have made.
    const scoped = await viewQueryOver(
      client,
      'complaint_terms_1h_mv',
      'SELECT * FROM mentions WHERE (source, toString(toStartOfHour(created_at))) IN {hours:Array(Tuple(String, String))}',
    );
    await client.command({
      query: `INSERT INTO complaint_terms_1h (brand, source, hour, term, mentions)
              SELECT brand, source, hour, term, mentions FROM (${scoped}) WHERE (brand, source, toString(hour)) IN {keys:Array(Tuple(String, String, String))}`,
      query_params: { ...keys, hours: hours.map((h) => new TupleParam([h.source, h.hour])) },
    });
  }

  const count = async (table: string, where: string, params: Record<string, unknown> = who) =>
    Number((await rows<{ n: string }>(`SELECT count() AS n FROM ${table} WHERE ${where}`, params))[0]?.n ?? 0);
  const erase = async (table: string, where: string, params: Record<string, unknown> = who) => {
    const n = await count(table, where, params);
    if (n) await client.command({ query: `ALTER TABLE ${table} DELETE WHERE ${where}`, query_params: params, clickhouse_settings: sync });
    return n;
  };
  const handoffs = await erase('care_handoffs', 'source = {source:String} AND author_id = {author:String}');
  const links = await erase(
    'author_links',
    '(source = {source:String} AND author_id = {author:String}) OR (linked_source = {source:String} AND linked_author_id = {author:String})',
  );
  const deadLetters = await erase(
    'dead_letters',
    "JSONExtractString(payload, 'source') = {source:String} AND JSONExtractString(payload, 'author', 'id') = {author:String}",
  );

  // Alert versions that sample one of their posts keep the rest of their samples.
  let alerts = 0;
  if (ids.length) {
    const hit = await rows<{ id: string; updated_at: string; sample_mentions: string }>(
      'SELECT id, toString(updated_at) AS updated_at, sample_mentions FROM alerts WHERE multiSearchAny(sample_mentions, {ids:Array(String)})',
      { ids: ids.slice(0, 250) },
    );
    for (const a of hit) {
      const samples = (JSON.parse(a.sample_mentions) as { source: string; id: string }[]).filter((s) => !(s.source === source && ids.includes(s.id)));
      if (samples.length === JSON.parse(a.sample_mentions).length) continue;
      await client.command({
        query: 'ALTER TABLE alerts UPDATE sample_mentions = {samples:String} WHERE id = {id:String} AND toString(updated_at) = {at:String}',
        query_params: { samples: JSON.stringify(samples), id: a.id, at: a.updated_at },
        clickhouse_settings: sync,
      });
      alerts++;
    }
  }
  return { mentions: ids.length, complaint_term_hours: hours.length, handoffs, links, alerts, dead_letters: deadLetters, stories: stories.length };
}

/**
 * Picks the bus records of these authors: a mention, raw or enriched, by its source and
 * author id, or a dead letter whose payload is one. For the embedded bus's files
 * (`Bus.forget`), which keep texts and names until consumed and rolled away.
 */
export function isAuthorsRecord(authors: { source: string; id: string }[]): (value: Buffer) => boolean {
  const wanted = new Set(authors.map((a) => `${a.source}\u0000${a.id}`));
  // Ids JSON writes as they are can be looked for in the bytes before anything is parsed.
  const needles = authors.every((a) => !/["\\\u0000-\u001f]/.test(a.id)) ? authors.map((a) => Buffer.from(a.id)) : null;
  const theirs = (v: unknown): boolean => {
    if (typeof v !== 'object' || v === null) return false;
    const o = v as { source?: unknown; author?: { id?: unknown }; payload?: unknown };
    if (typeof o.source === 'string' && typeof o.author?.id === 'string' && wanted.has(`${o.source}\u0000${o.author.id}`)) return true;
    if (typeof o.payload !== 'string') return false;
    try {
      return theirs(JSON.parse(o.payload));
    } catch {
      return false;
    }
  };
  return (value) => {
    if (needles && !needles.some((n) => value.includes(n))) return false;
    try {
      return theirs(JSON.parse(value.toString('utf8')));
    } catch {
      return false;
    }
  };
}
