import type { Router } from 'express';
import { exactRouter, MentionTable, fromClickHouseTime as iso, type ClickHouseClient } from '@earshot/shared';
import { MentionsQuerySchema, parseQuery } from './query-params.js';

export interface MentionRecord {
  source: string;
  id: string;
  created_at: string;
  ingested_at: string;
  text: string;
  title: string;
  url: string;
  lang: string;
  brands: string[];
  author_id: string;
  author_handle: string;
  author_name: string;
  author_followers: string | number;
  likes: string | number;
  shares: string | number;
  replies: string | number;
  views: string | number;
  in_reply_to: string;
  rating: number | null;
  sentiment_label: string;
  sentiment_score: number;
  p_negative: number;
  p_neutral: number;
  p_positive: number;
  intents: string[];
  intent_scores: number[];
  emotion: Record<string, number>;
  toxicity: Record<string, number>;
  journey_stage: string;
  model_name: string;
  model_version: string;
  from_brand?: number;
  conversation_id?: string;
  story_id?: string;
  story_label?: string;
}

const round = (n: number) => Math.round(n * 10_000) / 10_000;

/** The public shape of a stored mention: the raw fields plus its enrichment. */
export function toApiMention(r: MentionRecord) {
  return {
    id: r.id,
    source: r.source,
    text: r.text,
    ...(r.title ? { title: r.title } : {}),
    ...(r.url ? { url: r.url } : {}),
    created_at: iso(r.created_at),
    ingested_at: iso(r.ingested_at),
    author: { id: r.author_id, handle: r.author_handle, ...(r.author_name ? { name: r.author_name } : {}), followers: Number(r.author_followers) },
    brands: r.brands,
    engagement: { likes: Number(r.likes), shares: Number(r.shares), replies: Number(r.replies), views: Number(r.views) },
    ...(r.in_reply_to ? { in_reply_to: r.in_reply_to } : {}),
    ...(r.conversation_id ? { conversation_id: r.conversation_id } : {}),
    ...(Number(r.from_brand) === 1 ? { from_brand: true } : {}),
    ...(r.rating !== null ? { rating: r.rating } : {}),
    lang: r.lang,
    sentiment: {
      label: r.sentiment_label,
      score: round(r.sentiment_score),
      probs: { negative: round(r.p_negative), neutral: round(r.p_neutral), positive: round(r.p_positive) },
    },
    intents: r.intents.map((label, i) => ({ label, score: round(r.intent_scores[i] ?? 0) })),
    emotion: r.emotion,
    toxicity: r.toxicity,
    journey_stage: r.journey_stage || null,
    // The story it joined (docs/stories.md), when stories are on.
    ...(r.story_id ? { story_id: r.story_id, story_label: r.story_label ?? '' } : {}),
    model: { name: r.model_name, version: r.model_version },
  };
}

/**
 * GET /v1/mentions: newest first, filtered by brand, source, sentiment, intent, language,
 * words in the text, story and event-time range; each with the story it is in now.
 */
export function createMentionsRouter(deps: { client: ClickHouseClient }): Router {
  const router = exactRouter();
  router.get('/v1/mentions', async (req, res) => {
    const q = parseQuery(MentionsQuerySchema, req.query);
    const table = new MentionTable(deps.client);
    const rows = await table.withCurrentStories(await table.search<MentionRecord>(q));
    res.json({ items: rows.map(toApiMention), count: rows.length, limit: q.limit, offset: q.offset });
  });
  return router;
}
