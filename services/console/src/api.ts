// The console reads and acts only through Earshot's public HTTP API.
import { keyStore } from './key-store.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const apiKey = keyStore({ session: () => sessionStorage, local: () => localStorage });

/** Calls the API with the saved key; a non-2xx answer becomes an ApiError holding the server's reason. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  const key = apiKey.get();
  if (key) headers.set('authorization', `Bearer ${key}`);
  if (init.body && typeof init.body === 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
  const res = await fetch(path, { ...init, headers });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const reason = body && typeof body === 'object' && 'error' in body ? String(body.error) : `HTTP ${res.status}`;
    throw new ApiError(res.status, reason);
  }
  return body as T;
}

export const query = (params: Record<string, string | number | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

// The shapes the console reads (see /openapi.json).
export interface Bucket {
  start: string;
  mentions: number;
  negative: number;
  neutral: number;
  positive: number;
  net_sentiment: number;
  /** Mentions with the intent asked for (`intent=`), when one was. */
  intent?: number;
}
export interface SentimentStats {
  total: number;
  buckets: Bucket[];
}
export interface Volume {
  totals: { key: string; mentions: number; negative: number; positive: number; share: number; net_sentiment: number }[];
  buckets: { start: string; key: string; mentions: number }[];
}
export interface Mention {
  id: string;
  source: string;
  text: string;
  title?: string;
  url?: string;
  created_at: string;
  author: { id: string; handle: string; name?: string; followers: number };
  brands: string[];
  engagement: { likes: number; shares: number; replies: number; views: number };
  lang: string;
  sentiment: { label: string; score: number };
  intents: { label: string; score: number }[];
  emotion: Record<string, number>;
  journey_stage: string | null;
  from_brand?: boolean;
  /** The model that labelled it (the adaptive tier stores the tier it used for each). */
  model?: { name: string; version: string };
}
export interface Alert {
  id: string;
  kind: string;
  brand: string;
  status: 'open' | 'updated' | 'resolved';
  severity: 'info' | 'warning' | 'critical';
  severity_score?: number;
  window_start: string;
  window_end: string;
  observed: number;
  expected: number;
  band: [number, number];
  source?: string;
  intent?: string;
  summary: string;
  explanation?: { terms: string[]; sources: { source: string; mentions: number }[]; stories?: { id: string; label: string; mentions: number }[] };
  sample_mentions: { source: string; id: string; url?: string }[];
  opened_at: string;
  updated_at: string;
  resolved_at?: string;
  acknowledged_at?: string;
  acknowledged_by?: string;
  resolved_by?: string;
  assignee?: string;
  assigned_at?: string;
  /** The incident it belongs to: its first alert's id. */
  incident_id?: string;
}
/** One item of GET /v1/incidents: alerts of one trouble, which paged once. */
export interface Incident {
  id: string;
  brand: string;
  status: 'open' | 'resolved';
  severity: Alert['severity'];
  severity_score?: number;
  headline: string;
  opened_at: string;
  updated_at: string;
  resolved_at?: string;
  /** Worst first. */
  alerts: Alert[];
}
/** One line of GET /v1/alerts/{id}/timeline. */
export interface TimelineEntry {
  at: string;
  event: 'opened' | 'updated' | 'resolved' | 'acknowledged' | 'assigned' | 'noted' | 'notified';
  by?: string;
  detail?: string;
  severity_score?: number;
}
export interface CampaignEvent {
  id: string;
  brand: string;
  kind: string;
  title: string;
  description?: string;
  starts_at: string;
  ends_at?: string;
  url?: string;
}
export interface Interval {
  before: number;
  after: number;
  difference: number;
  ci95: [number, number];
  p_value: number;
}
export interface Impact {
  windows: { before: { from: string; to: string; mentions: number }; after: { from: string; to: string; mentions: number } };
  volume: { before_per_hour: number; after_per_hour: number; ratio: number; ci95: [number, number]; p_value: number };
  share_of_voice: Interval;
  net_sentiment: Interval;
  complaint_rate: Interval;
  new_terms: string[];
  verdict: string;
}
export interface CareStats {
  conversations: number;
  answered: number;
  response_rate: number | null;
  complaints: number;
  first_reply_seconds: { p50: number | null; p90: number | null };
  replies_per_conversation: number | null;
  outcome: { conversations: number; first_sentiment: number | null; last_sentiment: number | null; change: number | null; improved_share: number | null };
}
export interface CareItem {
  brand: string;
  source: string;
  conversation_id: string;
  asked_at: string;
  intent: string;
  waiting_minutes: number;
  mention: { id: string; url: string | null; text: string; sentiment_score: number };
  author: { id: string; handle: string; followers: number };
  handed_off_at?: string;
}
export interface AuthorView {
  author: { source: string; id: string; handle: string; name?: string };
  identities: { source: string; id: string }[];
  mentions: Mention[];
  trajectory: { day: string; mentions: number; mean_score: number }[];
  open_issues: CareItem[];
}
export interface ConnectorHealth {
  connector: string;
  type: string;
  brand: string;
  state: string;
  last_success_at: string | null;
  last_error: string | null;
  failures: number;
  next_attempt_at: string | null;
  mentions: number;
  notice: { at: string; message: string } | null;
}
export interface Health {
  status: string;
  checks: { name: string; ok: boolean; detail?: unknown }[];
}

/** A story as `GET /v1/stories` lists it. */
export interface Story {
  id: string;
  brand: string;
  label: string;
  first_seen: string;
  last_seen: string;
  mentions: number;
  negative: number;
  neutral: number;
  positive: number;
  complaints: number;
  previous_mentions: number;
  new: boolean;
  complaint_share: number;
}
/** One story as `GET /v1/stories/{id}` gives it. */
export interface StoryDetail {
  id: string;
  brand: string;
  label: string;
  first_seen: string;
  last_seen: string;
  totals: { mentions: number; negative: number; neutral: number; positive: number; complaints: number; complaint_share: number };
  timeline: { hour: string; mentions: number; negative: number; neutral: number; positive: number; complaints: number }[];
  sources: { source: string; mentions: number }[];
  posts: { source: string; id: string; created_at: string; text: string; url: string; author_handle: string; sentiment: string }[];
}
