-- What a person did to an alert from the console or the API: acknowledged it (someone is
-- on it) or resolved it. Kept apart from `alerts`, which only the detector writes, so a
-- detector run never overwrites a person's action; the alert read back joins the latest.
CREATE TABLE IF NOT EXISTS alert_actions (
  alert_id String,
  action LowCardinality(String),
  actor String,
  at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
ORDER BY (alert_id, at);

-- Care items a person marked handled (answered elsewhere, or nothing to answer): the queue
-- leaves them out. Holds no author data, so erasure has nothing to remove here.
CREATE TABLE IF NOT EXISTS care_handled (
  brand LowCardinality(String),
  source LowCardinality(String),
  conversation_id String,
  actor String,
  handled_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(handled_at)
ORDER BY (brand, source, conversation_id);
