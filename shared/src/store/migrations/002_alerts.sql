-- Per-minute counts per brand, source and intent (event time), fed like mention_stats_1m.
CREATE TABLE IF NOT EXISTS mention_intents_1m (
  brand LowCardinality(String),
  source LowCardinality(String),
  minute DateTime('UTC'),
  intent LowCardinality(String),
  mentions UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (brand, intent, minute, source);

CREATE MATERIALIZED VIEW IF NOT EXISTS mention_intents_1m_mv TO mention_intents_1m AS
SELECT
  arrayJoin(if(empty(brands), [''], brands)) AS brand,
  source,
  toStartOfMinute(created_at) AS minute,
  arrayJoin(intents) AS intent,
  count() AS mentions
FROM mentions
GROUP BY brand, source, minute, intent;

-- Alerts, one row per version; the newest (by updated_at) is the alert's state.
CREATE TABLE IF NOT EXISTS alerts (
  id String,
  kind LowCardinality(String),
  brand LowCardinality(String),
  status LowCardinality(String),
  severity LowCardinality(String),
  window_start DateTime64(3, 'UTC'),
  window_end DateTime64(3, 'UTC'),
  observed Float64,
  expected Float64,
  band_low Float64,
  band_high Float64,
  score Float64,
  source String,
  intent String,
  summary String,
  sample_mentions String,
  opened_at DateTime64(3, 'UTC'),
  updated_at DateTime64(3, 'UTC'),
  resolved_at Nullable(DateTime64(3, 'UTC'))
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY id;

-- Which detector replica leads; a replica runs the detectors only while it holds the lease.
-- One row per replica (the newest heartbeat wins); no TTL, since heartbeats are in stream
-- time, which a replay puts in the past.
CREATE TABLE IF NOT EXISTS detector_leases (
  replica String,
  heartbeat_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(heartbeat_at)
ORDER BY replica;
