-- Stories' counts per story, minute and source in one table, filled by one view (docs/stories.md,
-- "Cost in the stream"): it replaces story_stats_1h (per hour and source) and story_stats_1m
-- (customers' mentions per minute), two views that each read every block of mentions stored.
-- The API's hourly counts are sums of its minutes; the emerging_story detector reads the
-- customer_ columns (the brand's own replies are no story's rise). Counts name nobody, so erasure
-- leaves them; the table holds the stories' hourly history, so it ages with the hourly rollups
-- (EARSHOT_ROLLUP_RETENTION_DAYS).
CREATE TABLE IF NOT EXISTS story_stats (
  brand LowCardinality(String),
  story_id String,
  minute DateTime('UTC'),
  source LowCardinality(String),
  mentions UInt64,
  negative UInt64,
  neutral UInt64,
  positive UInt64,
  complaints UInt64,
  customer_mentions UInt64,
  customer_negative UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (brand, minute, story_id, source)
SETTINGS non_replicated_deduplication_window = 10000;

DROP VIEW IF EXISTS story_stats_1h_mv;
DROP VIEW IF EXISTS story_stats_1m_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS story_stats_mv TO story_stats AS
SELECT
  if(empty(brands), '', brands[1]) AS brand,
  story_id,
  toStartOfMinute(created_at) AS minute,
  source,
  count() AS mentions,
  countIf(sentiment_label = 'negative') AS negative,
  countIf(sentiment_label = 'neutral') AS neutral,
  countIf(sentiment_label = 'positive') AS positive,
  countIf(has(intents, 'complaint')) AS complaints,
  countIf(from_brand = 0) AS customer_mentions,
  countIf(from_brand = 0 AND sentiment_label = 'negative') AS customer_negative
FROM mentions
WHERE story_id != ''
GROUP BY brand, story_id, minute, source;

-- Stories stored before this view: counted again from the mentions kept, and from the hourly
-- counts for the hours before the oldest story mention kept (aged out of `mentions`: their
-- minutes are gone, so they land on the hour, with no customer counts).
INSERT INTO story_stats
SELECT
  if(empty(brands), '', brands[1]) AS brand,
  story_id,
  toStartOfMinute(created_at) AS minute,
  source,
  count() AS mentions,
  countIf(sentiment_label = 'negative') AS negative,
  countIf(sentiment_label = 'neutral') AS neutral,
  countIf(sentiment_label = 'positive') AS positive,
  countIf(has(intents, 'complaint')) AS complaints,
  countIf(from_brand = 0) AS customer_mentions,
  countIf(from_brand = 0 AND sentiment_label = 'negative') AS customer_negative
FROM mentions FINAL
WHERE story_id != ''
GROUP BY brand, story_id, minute, source;

INSERT INTO story_stats
SELECT brand, story_id, hour AS minute, source, sum(mentions), sum(negative), sum(neutral), sum(positive), sum(complaints), 0, 0
FROM story_stats_1h
WHERE hour < ifNull((SELECT toStartOfHour(minOrNull(created_at)) FROM mentions WHERE story_id != ''), toDateTime('2106-01-01 00:00:00', 'UTC'))
GROUP BY brand, story_id, hour, source;

DROP TABLE IF EXISTS story_stats_1h;
DROP TABLE IF EXISTS story_stats_1m;
