import { TupleParam, type ClickHouseClient } from '@clickhouse/client';
import { fromClickHouseTime, toClickHouseTime } from './rows.js';

export interface CareQueueItem {
  brand: string;
  source: string;
  conversation_id: string;
  asked_at: string;
  intent: 'complaint' | 'question';
  waiting_minutes: number;
  mention: { id: string; url: string | null; text: string; sentiment_score: number };
  author: { id: string; handle: string; followers: number };
  /** Where to act: the post on its source, and the customer's history in Earshot (an API path). */
  links: { post: string | null; author: string };
  /** When it was handed to the helpdesk, if it was. */
  handed_off_at?: string;
}

export interface CareStats {
  conversations: number;
  answered: number;
  response_rate: number | null;
  complaints: number;
  complaints_answered: number;
  first_reply_seconds: { p50: number | null; p90: number | null };
  replies_per_conversation: number | null;
  outcome: { conversations: number; first_sentiment: number | null; last_sentiment: number | null; change: number | null; improved_share: number | null };
}

export type QueueOrder = 'priority' | 'oldest' | 'reach';

const ORDER: Record<QueueOrder, string> = {
  // Reach times the log of waiting: a viral complaint from a big account comes before days-old
  // posts nobody saw, and among accounts of one size the one waiting longest comes first.
  // (Waiting time as a plain factor let any post a week old outrank a 182,000-follower complaint.)
  priority: 'log10(({now:Int64} - toUnixTimestamp64Milli(asked_at)) / 60000 + 10) * log10(ask_followers + 10) DESC, asked_at',
  oldest: 'asked_at, ask_followers DESC',
  reach: 'ask_followers DESC, asked_at',
};

type Raw = Record<string, string | number | null | number[]>;
const num = (v: unknown) => (v === null || v === undefined || Number.isNaN(Number(v)) ? null : Number(v));
const r4 = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);

/**
 * Customer care read from the `care_conversations_since` view (only the messages a range
 * needs are read): response rate, time to first
 * reply, replies per conversation and outcome per brand and source, and the queue of
 * complaints and questions no brand account has answered.
 */
export class CareStore {
  constructor(private readonly client: ClickHouseClient) {}

  private async rows(query: string, params: Record<string, unknown>): Promise<Raw[]> {
    return (await this.client.query({ query, query_params: params, format: 'JSONEachRow' })).json<Raw>();
  }

  async stats(q: { brand: string; source?: string; from: number; to: number }): Promise<{ total: CareStats; by_source: (CareStats & { source: string })[] }> {
    const select = `count() AS conversations, countIf(brand_replies > 0) AS answered,
      countIf(ask_intent = 'complaint') AS complaints, countIf(ask_intent = 'complaint' AND brand_replies > 0) AS complaints_answered,
      quantileIf(0.5)(reply_seconds, brand_replies > 0) AS p50, quantileIf(0.9)(reply_seconds, brand_replies > 0) AS p90,
      avgIf(brand_replies, brand_replies > 0) AS replies, countIf(last_score IS NOT NULL) AS with_outcome,
      avgIf(first_score, last_score IS NOT NULL) AS first_avg, avgIf(last_score, last_score IS NOT NULL) AS last_avg,
      countIf(last_score > first_score) AS improved`;
    const where = `brand = {brand:String} AND asked_at >= {from:DateTime64(3)} AND asked_at < {to:DateTime64(3)}${q.source ? ' AND source = {source:String}' : ''}`;
    const params = { brand: q.brand, from: toClickHouseTime(q.from), to: toClickHouseTime(q.to), ...(q.source ? { source: q.source } : {}) };
    const [total] = await this.rows(`SELECT ${select} FROM care_conversations_since(since = {from:DateTime64(3)}) WHERE ${where}`, params);
    const bySource = await this.rows(
      `SELECT source, ${select} FROM care_conversations_since(since = {from:DateTime64(3)}) WHERE ${where} GROUP BY source ORDER BY conversations DESC, source`,
      params,
    );
    return { total: toStats(total ?? {}), by_source: bySource.map((r) => ({ source: String(r.source), ...toStats(r) })) };
  }

  async queue(q: {
    brand?: string;
    source?: string;
    /** Only items asked by these authors. */
    authors?: { source: string; id: string }[];
    since: number;
    /** Only items asked before this time (a pinned range). */
    until?: number;
    now: number;
    limit: number;
    /** Items to skip, for paging. */
    offset?: number;
    order?: QueueOrder;
    notHandedOff?: boolean;
    /** One conversation only. */
    conversation?: { brand: string; source: string; id: string };
  }): Promise<CareQueueItem[]> {
    const where = [
      'brand_replies = 0',
      'asked_at >= {since:DateTime64(3)}',
      q.until !== undefined && 'asked_at < {until:DateTime64(3)}',
      q.brand && 'brand = {brand:String}',
      q.source && 'source = {source:String}',
      q.authors && '(source, ask_author_id) IN {authors:Array(Tuple(String, String))}',
      q.notHandedOff && '(brand, source, conversation_id) NOT IN (SELECT brand, source, conversation_id FROM care_handoffs)',
      '(brand, source, conversation_id) NOT IN (SELECT brand, source, conversation_id FROM care_handled)',
      q.conversation && 'brand = {c_brand:String} AND source = {c_source:String} AND conversation_id = {c_id:String}',
    ].filter(Boolean);
    // The ask's text, handle and link are read for the page only, not for every conversation ranked.
    const ranked = await this.rows(
      `SELECT brand, source, conversation_id, asked_at, ask_id, ask_author_id, ask_followers, ask_intent, first_score
       FROM care_conversations_since(since = {since:DateTime64(3)}) WHERE ${where.join(' AND ')} ORDER BY ${ORDER[q.order ?? 'priority']} LIMIT {limit:UInt32} OFFSET {offset:UInt32}`,
      {
        since: toClickHouseTime(q.since),
        ...(q.until !== undefined ? { until: toClickHouseTime(q.until) } : {}),
        now: q.now,
        limit: q.limit,
        offset: q.offset ?? 0,
        ...(q.brand ? { brand: q.brand } : {}),
        ...(q.source ? { source: q.source } : {}),
        ...(q.authors ? { authors: q.authors.map((a) => new TupleParam([a.source, a.id])) } : {}),
        ...(q.conversation ? { c_brand: q.conversation.brand, c_source: q.conversation.source, c_id: q.conversation.id } : {}),
      },
    );
    const rows = await this.withAskDetails(ranked);
    const handed = await this.handedOff(rows.map((r) => [String(r.brand), String(r.source), String(r.conversation_id)]));
    return rows.map((r) => {
      const askedAt = fromClickHouseTime(String(r.asked_at));
      return {
        brand: String(r.brand),
        source: String(r.source),
        conversation_id: String(r.conversation_id),
        asked_at: askedAt,
        intent: r.ask_intent as CareQueueItem['intent'],
        waiting_minutes: Math.max(0, Math.round((q.now - Date.parse(askedAt)) / 60_000)),
        mention: { id: String(r.ask_id), url: r.ask_url ? String(r.ask_url) : null, text: String(r.ask_text), sentiment_score: r4(num(r.first_score)) ?? 0 },
        author: { id: String(r.ask_author_id), handle: String(r.ask_author_handle), followers: Number(r.ask_followers) },
        links: {
          post: r.ask_url ? String(r.ask_url) : null,
          author: `/v1/authors/${encodeURIComponent(String(r.source))}/${encodeURIComponent(String(r.ask_author_id))}`,
        },
        ...(handed.has(`${r.brand}\n${r.source}\n${r.conversation_id}`) ? { handed_off_at: handed.get(`${r.brand}\n${r.source}\n${r.conversation_id}`) } : {}),
      };
    });
  }

  /** Adds each ask's url, author handle and text, looked up by its key in care_messages. */
  private async withAskDetails(ranked: Raw[]): Promise<Raw[]> {
    if (ranked.length === 0) return ranked;
    const keys = ranked.map((r) => new TupleParam([String(r.brand), String(r.source), String(r.conversation_id), String(r.ask_id)]));
    const details = await this.rows(
      `SELECT brand, source, conversation_id, id, any(url) AS ask_url, any(author_handle) AS ask_author_handle, any(text) AS ask_text FROM care_messages
       WHERE (brand, source, conversation_id, id) IN {keys:Array(Tuple(String, String, String, String))} GROUP BY brand, source, conversation_id, id`,
      { keys },
    );
    const byKey = new Map(details.map((d) => [`${d.brand}\n${d.source}\n${d.conversation_id}\n${d.id}`, d]));
    return ranked.map((r) => {
      const d = byKey.get(`${r.brand}\n${r.source}\n${r.conversation_id}\n${r.ask_id}`);
      return { ...r, ask_url: d?.ask_url ?? '', ask_author_handle: d?.ask_author_handle ?? '', ask_text: d?.ask_text ?? '' };
    });
  }

  /** When each of these conversations was handed to the helpdesk, keyed brand\nsource\nconversation. */
  private async handedOff(keys: [string, string, string][]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const rows = await this.rows(
      `SELECT brand, source, conversation_id, min(handed_at) AS at FROM care_handoffs
       WHERE (brand, source, conversation_id) IN {keys:Array(Tuple(String, String, String))} GROUP BY brand, source, conversation_id`,
      { keys: keys.map((k) => new TupleParam(k)) },
    );
    return new Map(rows.map((r) => [`${r.brand}\n${r.source}\n${r.conversation_id}`, fromClickHouseTime(String(r.at))]));
  }

  /** Takes a conversation out of the queue: a person dealt with it. */
  async markHandled(item: { brand: string; source: string; conversation_id: string }, actor: string, at: number): Promise<void> {
    await this.client.insert({
      table: 'care_handled',
      values: [{ brand: item.brand, source: item.source, conversation_id: item.conversation_id, actor, handled_at: toClickHouseTime(at) }],
      format: 'JSONEachRow',
    });
  }

  /** Records items as delivered to the helpdesk, so they are never sent again. */
  async markHandedOff(items: CareQueueItem[], at: number): Promise<void> {
    if (items.length === 0) return;
    await this.client.insert({
      table: 'care_handoffs',
      values: items.map((i) => ({
        brand: i.brand,
        source: i.source,
        conversation_id: i.conversation_id,
        ask_id: i.mention.id,
        author_id: i.author.id,
        handed_at: toClickHouseTime(at),
      })),
      format: 'JSONEachRow',
    });
  }
}

function toStats(r: Raw): CareStats {
  const conversations = Number(r.conversations ?? 0);
  const answered = Number(r.answered ?? 0);
  const withOutcome = Number(r.with_outcome ?? 0);
  const first = withOutcome ? num(r.first_avg) : null;
  const last = withOutcome ? num(r.last_avg) : null;
  return {
    conversations,
    answered,
    response_rate: conversations ? r4(answered / conversations) : null,
    complaints: Number(r.complaints ?? 0),
    complaints_answered: Number(r.complaints_answered ?? 0),
    first_reply_seconds: { p50: answered ? Math.round(num(r.p50) ?? 0) : null, p90: answered ? Math.round(num(r.p90) ?? 0) : null },
    replies_per_conversation: answered ? r4(num(r.replies)) : null,
    outcome: {
      conversations: withOutcome,
      first_sentiment: r4(first),
      last_sentiment: r4(last),
      change: first !== null && last !== null ? r4(last - first) : null,
      improved_share: withOutcome ? r4(Number(r.improved ?? 0) / withOutcome) : null,
    },
  };
}
