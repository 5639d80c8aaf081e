-- Conversations and the brand's own voice, for customer care.
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS from_brand UInt8;
ALTER TABLE mentions ADD COLUMN IF NOT EXISTS conversation_id String;

-- Authors erased on request: the writer drops anything of theirs that arrives later.
CREATE TABLE IF NOT EXISTS erased_authors (
  source LowCardinality(String),
  author_id String,
  erased_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(erased_at)
ORDER BY (source, author_id);

-- One customer's identities on several sources, linked by the care team.
CREATE TABLE IF NOT EXISTS author_links (
  source LowCardinality(String),
  author_id String,
  linked_source LowCardinality(String),
  linked_author_id String,
  created_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(created_at)
ORDER BY (source, author_id, linked_source, linked_author_id);

-- Care items handed to the helpdesk webhook; a row means delivered, so each goes once.
CREATE TABLE IF NOT EXISTS care_handoffs (
  brand LowCardinality(String),
  source LowCardinality(String),
  conversation_id String,
  ask_id String,
  author_id String,
  handed_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(handed_at)
ORDER BY (brand, source, conversation_id);

-- One row per brand conversation that holds a customer complaint or question: who asked
-- and when, the brand's first reply after it, how many replies, and the asker's
-- sentiment in their first message and in their last one after the brand replied.
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
FROM
(
  SELECT arrayJoin(brands) AS brand, source, if(conversation_id = '', id, conversation_id) AS conversation_id, created_at, from_brand,
         sentiment_score, id, url, author_id, author_handle, author_followers, text, intents
  FROM mentions
  WHERE from_brand = 1 OR hasAny(intents, ['complaint', 'question']) OR in_reply_to != ''
)
GROUP BY brand, source, conversation_id
HAVING length(asks) > 0;
