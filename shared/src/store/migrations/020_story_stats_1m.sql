-- Per story and minute, customers' mentions (the brand's own replies are no story's rise):
-- what the emerging_story detector tests each minute (StoryStore.minuteSeries), without
-- reading a week of raw mentions. Counts name nobody, so erasure leaves them, as it leaves
-- the other rollups; they age with the raw mentions and per-minute rollups (EARSHOT_RETENTION_DAYS).
CREATE TABLE IF NOT EXISTS story_stats_1m (
  brand LowCardinality(String),
  story_id String,
  minute DateTime('UTC'),
  mentions UInt64,
  negative UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (brand, minute, story_id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS story_stats_1m_mv TO story_stats_1m AS
SELECT
  if(empty(brands), '', brands[1]) AS brand,
  story_id,
  toStartOfMinute(created_at) AS minute,
  count() AS mentions,
  countIf(sentiment_label = 'negative') AS negative
FROM mentions
WHERE story_id != '' AND from_brand = 0
GROUP BY brand, story_id, minute;

-- Stories stored before this view: counted once from the mentions kept.
INSERT INTO story_stats_1m
SELECT
  if(empty(brands), '', brands[1]) AS brand,
  story_id,
  toStartOfMinute(created_at) AS minute,
  count() AS mentions,
  countIf(sentiment_label = 'negative') AS negative
FROM mentions FINAL
WHERE story_id != '' AND from_brand = 0
GROUP BY brand, story_id, minute;
