-- Customer care read every mention on each query (the view grouped the whole table), so a
-- care panel over 10M mentions took seconds. The messages care reads are now kept apart
-- as they are written, one row per brand, sorted by brand and conversation: a care query
-- reads one brand's care messages. Deletions (erasure, posts gone upstream), follower
-- updates and retention reach this copy too (see MENTION_COPIES in the store layer).
CREATE TABLE IF NOT EXISTS care_messages (
  brand LowCardinality(String),
  source LowCardinality(String),
  conversation_id String,
  created_at DateTime64(3, 'UTC'),
  ingested_at DateTime64(3, 'UTC'),
  from_brand UInt8,
  sentiment_score Float32,
  id String,
  url String,
  author_id String,
  author_handle String,
  author_followers UInt64,
  text String,
  intents Array(LowCardinality(String))
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(created_at)
ORDER BY (brand, source, conversation_id, id)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS care_messages_mv TO care_messages AS
SELECT arrayJoin(brands) AS brand, source, if(conversation_id = '', id, conversation_id) AS conversation_id, created_at, ingested_at, from_brand,
       sentiment_score, id, url, author_id, author_handle, author_followers, text, intents
FROM mentions
WHERE from_brand = 1 OR hasAny(intents, ['complaint', 'question']) OR in_reply_to != '';

-- What was stored before the view existed (migrations run before any service writes).
INSERT INTO care_messages
SELECT arrayJoin(brands) AS brand, source, if(conversation_id = '', id, conversation_id) AS conversation_id, created_at, ingested_at, from_brand,
       sentiment_score, id, url, author_id, author_handle, author_followers, text, intents
FROM mentions FINAL
WHERE from_brand = 1 OR hasAny(intents, ['complaint', 'question']) OR in_reply_to != '';

DROP VIEW IF EXISTS care_conversations;
CREATE VIEW IF NOT EXISTS care_conversations AS
SELECT
  brand,
  source,
  conversation_id,
  arraySort(m -> m.1, groupArray((toUnixTimestamp64Milli(created_at), from_brand, sentiment_score, id, url, author_id, author_handle, author_followers, text, multiIf(has(intents, 'complaint'), 'complaint', has(intents, 'question'), 'question', '')))) AS msgs,
  arrayFilter(m -> m.2 = 0 AND m.10 != '', msgs) AS asks,
  asks[1] AS ask,
  fromUnixTimestamp64Milli(ask.1, 'UTC') AS asked_at,
  ask.4 AS ask_id,
  ask.5 AS ask_url,
  ask.6 AS ask_author_id,
  ask.7 AS ask_author_handle,
  ask.8 AS ask_followers,
  ask.9 AS ask_text,
  ask.10 AS ask_intent,
  ask.3 AS first_score,
  arrayFilter(m -> m.2 = 1 AND m.1 >= ask.1, msgs) AS brand_msgs,
  length(brand_msgs) AS brand_replies,
  if(brand_replies > 0, fromUnixTimestamp64Milli(brand_msgs[1].1, 'UTC'), NULL) AS replied_at,
  if(brand_replies > 0, (brand_msgs[1].1 - ask.1) / 1000, NULL) AS reply_seconds,
  arrayFilter(m -> m.2 = 0 AND m.6 = ask.6 AND brand_replies > 0 AND m.1 > brand_msgs[1].1, msgs) AS later,
  if(length(later) > 0, later[-1].3, NULL) AS last_score
FROM care_messages
GROUP BY brand, source, conversation_id
HAVING length(asks) > 0;
