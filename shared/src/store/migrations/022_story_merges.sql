-- Stories that merged (docs/stories.md, "Merged stories"): the classifier clusters online, so
-- when two stories turn out to be one, the mentions stored before keep the id of the one that
-- merged away. The classifier publishes each merge on an enriched mention and the writer
-- stores it here; readers count every id as the story it went into, following chains
-- (shared/src/store/story-merges.ts). One row per brand and story merged away (a story merges
-- away once): a redelivered merge replaces its row. Ids only, no personal data.
CREATE TABLE IF NOT EXISTS story_merges (
  brand LowCardinality(String),
  from_story String,
  into_story String,
  at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (brand, from_story)
SETTINGS non_replicated_deduplication_window = 10000;
