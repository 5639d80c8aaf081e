-- Stories (docs/stories.md): the classifier puts each mention in a story of its first
-- brand; the mention keeps the story's id and its label at that time.
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS story_id String;
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS story_label String;

-- One row per story (after merges of its parts): its newest label, when it was first and
-- last seen, its counts, and its first posts as (source, id) keys: texts are read from
-- `mentions`, so an erased author's post leaves no text here. Erasure rebuilds the rows of
-- the stories an erased author was in (the label may have come from their words).
CREATE TABLE IF NOT EXISTS stories (
  brand LowCardinality(String),
  story_id String,
  label AggregateFunction(argMax, String, DateTime64(3, 'UTC')),
  first_seen SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
  last_seen SimpleAggregateFunction(max, DateTime64(3, 'UTC')),
  mentions SimpleAggregateFunction(sum, UInt64),
  negative SimpleAggregateFunction(sum, UInt64),
  neutral SimpleAggregateFunction(sum, UInt64),
  positive SimpleAggregateFunction(sum, UInt64),
  complaints SimpleAggregateFunction(sum, UInt64),
  samples AggregateFunction(groupArray(5), Tuple(String, String))
)
ENGINE = AggregatingMergeTree
ORDER BY (brand, story_id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS stories_mv TO stories AS
SELECT
  if(empty(brands), '', brands[1]) AS brand,
  story_id,
  argMaxState(story_label, created_at) AS label,
  min(created_at) AS first_seen,
  max(created_at) AS last_seen,
  count() AS mentions,
  countIf(sentiment_label = 'negative') AS negative,
  countIf(sentiment_label = 'neutral') AS neutral,
  countIf(sentiment_label = 'positive') AS positive,
  countIf(has(intents, 'complaint')) AS complaints,
  groupArrayState(5)((source, id)) AS samples
FROM mentions
WHERE story_id != ''
GROUP BY brand, story_id;

-- Per story, hour and source: its timeline, its sources, and what is rising.
CREATE TABLE IF NOT EXISTS story_stats_1h (
  brand LowCardinality(String),
  story_id String,
  hour DateTime('UTC'),
  source LowCardinality(String),
  mentions UInt64,
  negative UInt64,
  neutral UInt64,
  positive UInt64,
  complaints UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (brand, hour, story_id, source)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS story_stats_1h_mv TO story_stats_1h AS
SELECT
  if(empty(brands), '', brands[1]) AS brand,
  story_id,
  toStartOfHour(created_at) AS hour,
  source,
  count() AS mentions,
  countIf(sentiment_label = 'negative') AS negative,
  countIf(sentiment_label = 'neutral') AS neutral,
  countIf(sentiment_label = 'positive') AS positive,
  countIf(has(intents, 'complaint')) AS complaints
FROM mentions
WHERE story_id != ''
GROUP BY brand, story_id, hour, source;
