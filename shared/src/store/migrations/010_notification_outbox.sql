-- Alert notifications waiting to be delivered, so a restart neither drops nor repeats them:
-- one row per version of (alert version, notifier); the newest says pending or sent.
CREATE TABLE IF NOT EXISTS notification_outbox (
  alert_id String,
  alert_version DateTime64(3, 'UTC'),
  notifier LowCardinality(String),
  status LowCardinality(String),
  alert String,
  attempts UInt32,
  last_error String,
  changed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(changed_at)
ORDER BY (notifier, alert_id, alert_version);
