import { z } from 'zod';

/** ISO 8601 timestamp with an explicit zone; kept as the string the producer sent. */
const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time with a zone, e.g. 2026-11-23T10:00:00Z' });

const count = z.number().int().nonnegative();

/**
 * The span of `created_at` a mention may have: the store's minute rollups are 32-bit
 * `DateTime` (1970 to 2106) and a time outside it wraps into another minute, so 0001 or
 * 9999 would be counted decades away (issue #35). Nothing social predates 2000.
 */
export const EARLIEST_MENTION_TIME = '2000-01-01T00:00:00Z';
export const LATEST_MENTION_TIME = '2100-01-01T00:00:00Z';
const EARLIEST_MS = Date.parse(EARLIEST_MENTION_TIME);
const LATEST_MS = Date.parse(LATEST_MENTION_TIME);
const mentionTime = isoDateTime.refine((s) => {
  const t = Date.parse(s);
  return t >= EARLIEST_MS && t < LATEST_MS;
}, `must be between ${EARLIEST_MENTION_TIME} and ${LATEST_MENTION_TIME}`);

// With the u flag a surrogate class matches only an unpaired one.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** A string the store can keep: a lone surrogate ("\ud800") is not Unicode, and its insert would fail after the 202. */
const wellFormed = (s: string) => !LONE_SURROGATE.test(s);
const NOT_UNICODE = 'is not well-formed Unicode (a lone surrogate such as \\ud800)';
const str = () => z.string().refine(wellFormed, NOT_UNICODE);

/** Every string in a JSON value, keys too, counted without recursion. */
function allStringsWellFormed(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (!wellFormed(v)) return false;
    } else if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) {
        if (!wellFormed(k)) return false;
        stack.push(child);
      }
    }
  }
  return true;
}

export const AuthorSchema = z.object({
  id: str().min(1).max(256),
  handle: str().min(1).max(256),
  name: str().max(512).optional(),
  followers: count.optional(),
});

export const EngagementSchema = z.object({
  likes: count.default(0),
  shares: count.default(0),
  replies: count.default(0),
  views: count.default(0),
});

/** Size limits live here so every edge (HTTP, replay, topics) rejects the same things. */
export const MAX_TEXT_CHARS = 20_000;
export const MAX_METADATA_DEPTH = 16;

/** How deep a JSON value nests, counted without recursion (a hostile value may nest thousands deep). */
function nesting(value: unknown, stopAt: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > stopAt) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Free-form source details, bounded in depth so one pushed item cannot break the batch it came in. */
const metadata = z
  .record(z.string(), z.unknown())
  .refine((m) => nesting(m, MAX_METADATA_DEPTH) <= MAX_METADATA_DEPTH, `metadata nests deeper than ${MAX_METADATA_DEPTH} levels`)
  .refine(allStringsWellFormed, `holds a string that ${NOT_UNICODE}`);

export const MentionSchema = z.object({
  id: str().min(1).max(256),
  source: z.string().regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'must be a lower-case source name such as "twitter" or "trustpilot"'),
  text: str().max(MAX_TEXT_CHARS, `text is longer than ${MAX_TEXT_CHARS} characters`),
  created_at: mentionTime,
  author: AuthorSchema,
  url: z.url().max(2048).refine(wellFormed, NOT_UNICODE).optional(),
  title: str().max(1024).optional(),
  lang: str().min(2).max(16).optional(),
  brands: z.array(str().min(1).max(64)).max(64).optional(),
  engagement: EngagementSchema.optional(),
  in_reply_to: str().max(256).optional(),
  rating: z.number().int().min(1).max(5).optional(),
  metadata: metadata.optional(),
  /** The brand's own account wrote it; ingest sets it from each brand's declared accounts. */
  from_brand: z.boolean().optional(),
});
export type Mention = z.infer<typeof MentionSchema>;

/**
 * What intake accepts: a mention dated at most `maxFutureSeconds` past `now()`.
 * A wrong year or a clock far off would open rollup minutes nobody looks at yet. Wall
 * time, not a replay's stream clock, which may lag the data it replays.
 */
export function intakeMentionSchema(o: { now: () => number; maxFutureSeconds: number }) {
  return MentionSchema.refine((m) => Date.parse(m.created_at) <= o.now() + o.maxFutureSeconds * 1000, {
    path: ['created_at'],
    message: `is more than ${o.maxFutureSeconds} s ahead of this server's clock (EARSHOT_MAX_FUTURE_SECONDS)`,
  });
}

/**
 * The conversation a mention belongs to on its source: the source's own thread id
 * (`metadata.thread`: X conversation, Reddit post, Bluesky root), else the post it
 * replies to, else itself. The writer refines a reply to its parent's conversation.
 */
export function conversationOf(m: Pick<Mention, 'id' | 'in_reply_to' | 'metadata'>): string {
  const thread = m.metadata?.thread;
  if (typeof thread === 'string' && thread) return thread;
  return m.in_reply_to || m.id;
}

export const SENTIMENT_LABELS = ['negative', 'neutral', 'positive'] as const;
export const INTENT_LABELS = ['complaint', 'question', 'praise', 'purchase_intent', 'churn_risk', 'feature_request', 'spam'] as const;
export const JOURNEY_STAGES = ['awareness', 'consideration', 'purchase', 'service', 'loyalty'] as const;

const probability = z.number().min(0).max(1);

export const SentimentSchema = z.object({
  label: z.enum(SENTIMENT_LABELS),
  score: z.number().min(-1).max(1),
  probs: z.object({ negative: probability, neutral: probability, positive: probability }),
});
export type Sentiment = z.infer<typeof SentimentSchema>;

export const EnrichmentSchema = z.object({
  sentiment: SentimentSchema,
  intents: z.array(z.object({ label: z.enum(INTENT_LABELS), score: probability })),
  /** Scores per emotion label (anger, joy, optimism, sadness, …); empty when the model has no emotion head. */
  emotion: z.record(z.string(), probability),
  /** Scores per toxicity label (offensive, hateful); empty when the model has no toxicity head. */
  toxicity: z.record(z.string(), probability),
  lang: z.string().min(1).max(16),
  journey_stage: z.enum(JOURNEY_STAGES).nullable(),
  model: z.object({ name: z.string().min(1), version: z.string().min(1) }),
});
export type Enrichment = z.infer<typeof EnrichmentSchema>;

/** Two stories found to be one (docs/stories.md): `from` folds into `into`, the story that goes on. */
export const StoryMergeSchema = z.object({ from: z.string().min(1).max(64), into: z.string().min(1).max(64) });
export type StoryMerge = z.infer<typeof StoryMergeSchema>;

export const EnrichedMentionSchema = MentionSchema.extend({
  ...EnrichmentSchema.shape,
  brands: z.array(z.string()),
  /** When ingest accepted the mention (ISO 8601); used for end-to-end latency. */
  ingested_at: isoDateTime,
  enriched_at: isoDateTime,
  /** The story this mention joined within its first brand (the classifier's online story clustering; absent when off). */
  story_id: z.string().min(1).max(64).optional(),
  /** That story's label when the mention joined it (a key phrase of its mentions; may be empty for a new story). */
  story_label: z.string().max(200).optional(),
  /**
   * Stories of this mention's first brand that merged while it was assigned (absent when none):
   * each `from` now reads as `into`, and mentions stored under `from` before count in `into`.
   */
  story_merges: z.array(StoryMergeSchema).max(1_000).optional(),
});
export type EnrichedMention = z.infer<typeof EnrichedMentionSchema>;

/** A raw mention as it travels on the raw topic: brands resolved, ingest time stamped. */
export const RawMentionMessageSchema = MentionSchema.extend({
  brands: z.array(z.string()),
  ingested_at: isoDateTime,
});
export type RawMentionMessage = z.infer<typeof RawMentionMessageSchema>;

export const CAMPAIGN_EVENT_KINDS = ['campaign', 'pr', 'launch', 'incident', 'outage', 'other'] as const;

export const CampaignEventSchema = z.object({
  id: z.string().min(1).max(256),
  brand: z.string().min(1).max(64),
  kind: z.enum(CAMPAIGN_EVENT_KINDS),
  title: z.string().min(1).max(512),
  description: z.string().max(10_000).optional(),
  starts_at: isoDateTime,
  ends_at: isoDateTime.optional(),
  channels: z.array(z.string().max(64)).max(64).optional(),
  tags: z.array(z.string().max(64)).max(64).optional(),
  url: z.url().optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  /** A deletion travels as a last version with this set. */
  deleted: z.boolean().optional(),
});
export type CampaignEvent = z.infer<typeof CampaignEventSchema>;

/** How readily a brand's detectors page: set per brand in the brands file (`alerts: {sensitivity: high}`). */
export const SENSITIVITIES = ['low', 'medium', 'high'] as const;
export type Sensitivity = (typeof SENSITIVITIES)[number];

export const ALERT_KINDS = [
  'negative_volume_surge',
  'net_sentiment_drop',
  'complaint_surge',
  'volume_spike',
  'viral_negative',
  'source_silent',
  'care',
  'emerging_story',
] as const;

export const AlertSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(ALERT_KINDS),
  brand: z.string(),
  status: z.enum(['open', 'updated', 'resolved']),
  severity: z.enum(['info', 'warning', 'critical']),
  window_start: isoDateTime,
  window_end: isoDateTime,
  observed: z.number(),
  expected: z.number(),
  band: z.tuple([z.number(), z.number()]),
  score: probability,
  source: z.string().optional(),
  intent: z.string().optional(),
  summary: z.string(),
  /** 1 (worth a look) to 10 (drop everything): how far past normal, on how many mentions. Absent on alerts stored before it existed. */
  severity_score: z.number().int().min(1).max(10).optional(),
  /**
   * What it is about: the words that rose against the baseline, the sources carrying it
   * (mentions in the window), and the stories carrying it, most first (mentions of the window in each).
   */
  explanation: z
    .object({
      terms: z.array(z.string()),
      sources: z.array(z.object({ source: z.string(), mentions: z.number().int().nonnegative() })),
      stories: z.array(z.object({ id: z.string(), label: z.string(), mentions: z.number().int().nonnegative() })).optional(),
    })
    .optional(),
  sample_mentions: z.array(z.object({ source: z.string(), id: z.string(), url: z.string().optional() })),
  opened_at: isoDateTime,
  updated_at: isoDateTime,
  resolved_at: isoDateTime.optional(),
  /** Set on versions a backfill raised over past stream time (detection replayed with notify: false): history, which the notifier delivers to no one. */
  replayed: z.literal(true).optional(),
  /**
   * The incident the alert belongs to: the id of its first alert. The alerts of one brand
   * that open while one of them is open (the same trouble seen by several detectors) share
   * it. Read back, an alert stored before incidents existed is its own incident.
   */
  incident_id: z.string().min(1).optional(),
  /**
   * Set on versions that add nothing a person must be paged for: a later alert joining an
   * incident that already paged, an update that does not raise its severity, an alert
   * resolving while others of the incident stay open. Stored and shown; the notifier
   * delivers them only to a channel that nothing of the incident has reached yet (the
   * incident's opening, severity rises and resolution page).
   */
  quiet: z.literal(true).optional(),
});
export type Alert = z.infer<typeof AlertSchema>;

export const DeadLetterSchema = z.object({
  /** Topic (or edge, e.g. "http:/v1/mentions", "replay:FILE") the bad input came from. */
  origin: z.string(),
  stage: z.string(),
  reason: z.string(),
  key: z.string().nullable(),
  /** The offending payload as UTF-8 text (invalid bytes replaced), cut to a bounded length. */
  payload: z.string(),
  payload_bytes: z.number().int().nonnegative(),
  at: isoDateTime,
});
export type DeadLetter = z.infer<typeof DeadLetterSchema>;

/** One line per problem, "path: message", for humans and for dead-letter reasons. */
export function describeZodError(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`).join('; ');
}

/**
 * A fresh reading of a stored mention's engagement (and its author's reach), taken by
 * a connector during the mention's first hours so virality shows early. The writer
 * applies it to the stored row in place; it never creates a row.
 */
export const EngagementUpdateSchema = z.object({
  source: MentionSchema.shape.source,
  id: MentionSchema.shape.id,
  /** Only the counts the source reported; the others keep their stored value. */
  engagement: z.object({ likes: count, shares: count, replies: count, views: count }).partial(),
  followers: count.optional(),
  /**
   * The post is gone upstream (deleted by its author or removed): the stored mention is
   * erased, as the source's terms ask (Reddit's do).
   */
  deleted: z.literal(true).optional(),
  observed_at: isoDateTime,
});
export type EngagementUpdate = z.infer<typeof EngagementUpdateSchema>;
