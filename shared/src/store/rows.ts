import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { conversationOf, type CampaignEvent, type DeadLetter, type EnrichedMention } from '../schemas.js';

/** The form `Date.toISOString` writes, which is already UTC to the millisecond: rewritten without a Date (the writer does this three times a row). */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** ClickHouse DateTime64(3) text in UTC, which every ClickHouse parses without best-effort mode. */
export function toClickHouseTime(iso: string | number | Date): string {
  if (typeof iso === 'string' && CANONICAL_UTC.test(iso)) return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  return new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
}

/** ClickHouse's UTC date-time text ("2026-11-20 08:00:00.000") as ISO 8601. */
export const fromClickHouseTime = (t: string) => `${t.replace(' ', 'T')}Z`;

const chTime = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
const u64 = z.number().int().nonnegative();
const f32 = z.number();

/** One row of `mentions`; a test checks these keys and the table's columns agree. */
export const MentionRowSchema = z.object({
  source: z.string(),
  id: z.string(),
  created_at: chTime,
  ingested_at: chTime,
  enriched_at: chTime,
  text: z.string(),
  title: z.string(),
  url: z.string(),
  lang: z.string(),
  brands: z.array(z.string()),
  author_id: z.string(),
  author_handle: z.string(),
  author_name: z.string(),
  author_followers: u64,
  likes: u64,
  shares: u64,
  replies: u64,
  views: u64,
  in_reply_to: z.string(),
  rating: z.number().int().min(1).max(5).nullable(),
  metadata: z.string(),
  sentiment_label: z.string(),
  sentiment_score: f32,
  p_negative: f32,
  p_neutral: f32,
  p_positive: f32,
  intents: z.array(z.string()),
  intent_scores: z.array(f32),
  emotion: z.record(z.string(), f32),
  toxicity: z.record(z.string(), f32),
  journey_stage: z.string(),
  model_name: z.string(),
  model_version: z.string(),
  from_brand: z.number().int().min(0).max(1),
  conversation_id: z.string(),
  story_id: z.string(),
  story_label: z.string(),
});
export type MentionRow = z.infer<typeof MentionRowSchema>;

/** `conversation` overrides the mention's own idea of its conversation (the writer resolves replies to their root). */
export function mentionToRow(m: EnrichedMention, conversation = conversationOf(m)): MentionRow {
  return {
    source: m.source,
    id: m.id,
    created_at: toClickHouseTime(m.created_at),
    ingested_at: toClickHouseTime(m.ingested_at),
    enriched_at: toClickHouseTime(m.enriched_at),
    text: m.text,
    title: m.title ?? '',
    url: m.url ?? '',
    lang: m.lang,
    brands: m.brands,
    author_id: m.author.id,
    author_handle: m.author.handle,
    author_name: m.author.name ?? '',
    author_followers: m.author.followers ?? 0,
    likes: m.engagement?.likes ?? 0,
    shares: m.engagement?.shares ?? 0,
    replies: m.engagement?.replies ?? 0,
    views: m.engagement?.views ?? 0,
    in_reply_to: m.in_reply_to ?? '',
    rating: m.rating ?? null,
    metadata: m.metadata ? JSON.stringify(m.metadata) : '',
    sentiment_label: m.sentiment.label,
    sentiment_score: m.sentiment.score,
    p_negative: m.sentiment.probs.negative,
    p_neutral: m.sentiment.probs.neutral,
    p_positive: m.sentiment.probs.positive,
    intents: m.intents.map((i) => i.label),
    intent_scores: m.intents.map((i) => i.score),
    emotion: m.emotion,
    toxicity: m.toxicity,
    journey_stage: m.journey_stage ?? '',
    model_name: m.model.name,
    model_version: m.model.version,
    from_brand: m.from_brand ? 1 : 0,
    conversation_id: conversation,
    story_id: m.story_id ?? '',
    story_label: m.story_label ?? '',
  };
}

export const CampaignEventRowSchema = z.object({
  brand: z.string(),
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  description: z.string(),
  starts_at: chTime,
  ends_at: chTime.nullable(),
  channels: z.array(z.string()),
  tags: z.array(z.string()),
  url: z.string(),
  metadata: z.string(),
  deleted: z.number().int().min(0).max(1),
});
export type CampaignEventRow = z.infer<typeof CampaignEventRowSchema>;

export function eventToRow(e: CampaignEvent): CampaignEventRow {
  return {
    brand: e.brand,
    id: e.id,
    kind: e.kind,
    title: e.title,
    description: e.description ?? '',
    starts_at: toClickHouseTime(e.starts_at),
    ends_at: e.ends_at ? toClickHouseTime(e.ends_at) : null,
    channels: e.channels ?? [],
    tags: e.tags ?? [],
    url: e.url ?? '',
    metadata: e.metadata ? JSON.stringify(e.metadata) : '',
    deleted: e.deleted ? 1 : 0,
  };
}

export const DeadLetterRowSchema = z.object({
  at: chTime,
  origin: z.string(),
  stage: z.string(),
  reason: z.string(),
  key: z.string(),
  payload: z.string(),
  payload_bytes: u64,
});
export type DeadLetterRow = z.infer<typeof DeadLetterRowSchema>;

export function deadLetterToRow(d: DeadLetter): DeadLetterRow {
  return { ...d, at: toClickHouseTime(d.at), key: d.key ?? '' };
}

/** Query parameters for ClickHouse, leaving out filters that were not given. */
export function definedOnly(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));
}

/** The rows of one SELECT, as JSON objects; values travel as query parameters. */
export async function selectRows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  return (await client.query({ query, query_params: params, format: 'JSONEachRow' })).json<T>();
}
