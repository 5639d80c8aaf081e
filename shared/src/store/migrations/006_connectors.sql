-- Where each connector resumes (cursor, since-id, last timestamp, recent ids), newest
-- version wins; one row per connector id.
CREATE TABLE IF NOT EXISTS connector_checkpoints (
  connector String,
  state String,
  updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(updated_at)
ORDER BY connector;

-- Heartbeats of ingest replicas; only the leader polls and streams.
CREATE TABLE IF NOT EXISTS ingest_leases (
  replica String,
  heartbeat_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(heartbeat_at)
ORDER BY replica;
