-- The incident workflow: a person assigns an alert or notes something on it. Both are
-- actions like acknowledge and resolve; `detail` holds the assignee or the note's text.
ALTER TABLE alert_actions ADD COLUMN IF NOT EXISTS detail String DEFAULT '';

-- Every version the detector stored of an alert, for its timeline (opened, updated,
-- resolved): `alerts` keeps only the newest version per id once its parts merge. A version
-- saved twice (a retried run) is one row.
CREATE TABLE IF NOT EXISTS alert_history (
  alert_id String,
  status LowCardinality(String),
  severity LowCardinality(String),
  severity_score UInt8,
  observed Float64,
  summary String,
  updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree
ORDER BY (alert_id, updated_at);

-- Alerts stored before the history existed start theirs with their newest version.
INSERT INTO alert_history SELECT id, status, severity, severity_score, observed, summary, updated_at FROM alerts FINAL;

-- Scheduled digests each channel must receive, once per brand, period and period start:
-- recorded before the first attempt and marked sent after it, so a restart neither drops
-- nor repeats one. The newest row per delivery says pending or sent.
CREATE TABLE IF NOT EXISTS digest_outbox (
  channel LowCardinality(String),
  brand LowCardinality(String),
  period LowCardinality(String),
  period_start DateTime64(3, 'UTC'),
  period_end DateTime64(3, 'UTC'),
  status LowCardinality(String),
  attempts UInt32,
  last_error String,
  changed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(changed_at)
ORDER BY (channel, brand, period, period_start);
