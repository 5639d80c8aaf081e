-- Mentions, one row per (source, id). ReplacingMergeTree keeps the newest version
-- (by ingested_at) when a mention is stored again; the writer also skips keys already
-- stored, so the rollup below never counts a redelivered mention twice.
CREATE TABLE IF NOT EXISTS mentions (
  source LowCardinality(String),
  id String,
  created_at DateTime64(3, 'UTC'),
  ingested_at DateTime64(3, 'UTC'),
  enriched_at DateTime64(3, 'UTC'),
  stored_at DateTime64(3, 'UTC') DEFAULT now64(3),
  text String,
  title String,
  url String,
  lang LowCardinality(String),
  brands Array(LowCardinality(String)),
  author_id String,
  author_handle String,
  author_name String,
  author_followers UInt64,
  likes UInt64,
  shares UInt64,
  replies UInt64,
  views UInt64,
  in_reply_to String,
  rating Nullable(UInt8),
  metadata String,
  sentiment_label LowCardinality(String),
  sentiment_score Float32,
  p_negative Float32,
  p_neutral Float32,
  p_positive Float32,
  intents Array(LowCardinality(String)),
  intent_scores Array(Float32),
  emotion Map(LowCardinality(String), Float32),
  toxicity Map(LowCardinality(String), Float32),
  journey_stage LowCardinality(String),
  model_name LowCardinality(String),
  model_version LowCardinality(String)
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(created_at)
ORDER BY (source, id);

-- Per-minute counts and score sums per brand, source and sentiment, in event time.
CREATE TABLE IF NOT EXISTS mention_stats_1m (
  brand LowCardinality(String),
  source LowCardinality(String),
  minute DateTime('UTC'),
  sentiment_label LowCardinality(String),
  mentions UInt64,
  score_sum Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (brand, minute, source, sentiment_label);

CREATE MATERIALIZED VIEW IF NOT EXISTS mention_stats_1m_mv TO mention_stats_1m AS
SELECT
  arrayJoin(if(empty(brands), [''], brands)) AS brand,
  source,
  toStartOfMinute(created_at) AS minute,
  sentiment_label,
  count() AS mentions,
  sum(sentiment_score) AS score_sum
FROM mentions
GROUP BY brand, source, minute, sentiment_label;

-- The company's own campaigns, launches and incidents, read next to the mentions.
CREATE TABLE IF NOT EXISTS campaign_events (
  brand LowCardinality(String),
  id String,
  kind LowCardinality(String),
  title String,
  description String,
  starts_at DateTime64(3, 'UTC'),
  ends_at Nullable(DateTime64(3, 'UTC')),
  channels Array(LowCardinality(String)),
  url String,
  metadata String,
  updated_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY (brand, id);

-- Everything that was rejected on the way, with the reason, for inspection.
CREATE TABLE IF NOT EXISTS dead_letters (
  at DateTime64(3, 'UTC'),
  origin LowCardinality(String),
  stage LowCardinality(String),
  reason String,
  key String,
  payload String,
  payload_bytes UInt64
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (origin, at);
