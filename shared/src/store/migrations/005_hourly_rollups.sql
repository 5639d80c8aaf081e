-- Hourly aggregates beside the per-minute ones, for long ranges and long retention.
CREATE TABLE IF NOT EXISTS mention_stats_1h (
  brand LowCardinality(String),
  source LowCardinality(String),
  hour DateTime('UTC'),
  sentiment_label LowCardinality(String),
  mentions UInt64,
  score_sum Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (brand, hour, source, sentiment_label);

CREATE MATERIALIZED VIEW IF NOT EXISTS mention_stats_1h_mv TO mention_stats_1h AS
SELECT
  arrayJoin(if(empty(brands), [''], brands)) AS brand,
  source,
  toStartOfHour(created_at) AS hour,
  sentiment_label,
  count() AS mentions,
  sum(sentiment_score) AS score_sum
FROM mentions
GROUP BY brand, source, hour, sentiment_label;

CREATE TABLE IF NOT EXISTS mention_intents_1h (
  brand LowCardinality(String),
  source LowCardinality(String),
  hour DateTime('UTC'),
  intent LowCardinality(String),
  mentions UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (brand, intent, hour, source);

CREATE MATERIALIZED VIEW IF NOT EXISTS mention_intents_1h_mv TO mention_intents_1h AS
SELECT
  arrayJoin(if(empty(brands), [''], brands)) AS brand,
  source,
  toStartOfHour(created_at) AS hour,
  arrayJoin(intents) AS intent,
  count() AS mentions
FROM mentions
GROUP BY brand, source, hour, intent;
