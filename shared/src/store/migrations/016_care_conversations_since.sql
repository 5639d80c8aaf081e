-- Care panels took about a second over 10M mentions: the view grouped every care message
-- a brand ever had, each carried through an array with its text, before the time filter.
-- Now one row per conversation comes from plain aggregates (the first ask by argMin, brand
-- reply times and customer messages as small arrays, the ask's text only when read), and
-- care_conversations_since(since = …) reads only the messages from 7 days before `since`
-- on: a conversation asked in the range started at most that long before it (a thread
-- idle longer is judged from its messages in those 7 days). Same columns as before; a copy
-- of a brand reply (a re-delivered update) now counts once.
CREATE VIEW IF NOT EXISTS care_conversations_since AS
SELECT
  brand,
  source,
  conversation_id,
  asked_at,
  ask_id,
  ask_url,
  ask_author_id,
  ask_author_handle,
  ask_followers,
  ask_text,
  ask_intent,
  first_score,
  arraySort(arrayFilter(t -> t >= asked_at, brand_times)) AS brand_after,
  length(brand_after) AS brand_replies,
  if(brand_replies > 0, brand_after[1], NULL) AS replied_at,
  if(brand_replies > 0, dateDiff('millisecond', asked_at, brand_after[1]) / 1000, NULL) AS reply_seconds,
  arraySort(m -> m.1, arrayFilter(m -> m.2 = ask_author AND brand_replies > 0 AND m.1 > brand_after[1], customer)) AS later,
  if(length(later) > 0, later[-1].3, NULL) AS last_score
FROM (
  SELECT
    brand,
    source,
    conversation_id,
    -- One aggregate per column, so a query that does not read the ask's text never builds it.
    minIf(created_at, is_ask) AS asked_at,
    argMinIf(id, created_at, is_ask) AS ask_id,
    argMinIf(url, created_at, is_ask) AS ask_url,
    argMinIf(author_id, created_at, is_ask) AS ask_author_id,
    -- Authors compared by hash: cheaper to carry through every conversation than the string.
    argMinIf(cityHash64(author_id), created_at, is_ask) AS ask_author,
    argMinIf(author_handle, created_at, is_ask) AS ask_author_handle,
    argMinIf(author_followers, created_at, is_ask) AS ask_followers,
    argMinIf(text, created_at, is_ask) AS ask_text,
    argMinIf(if(has(intents, 'complaint'), 'complaint', 'question'), created_at, is_ask) AS ask_intent,
    argMinIf(sentiment_score, created_at, is_ask) AS first_score,
    countIf(is_ask) AS asks,
    -- By (time, id): a copy of the same reply (a re-delivered update) counts once.
    arrayMap(r -> r.1, arrayDistinct(groupArrayIf((created_at, id), from_brand = 1))) AS brand_times,
    -- Customer messages that could come after a brand reply: not the thread's opening post,
    -- which precedes every reply (most conversations are that post alone).
    groupArrayIf((created_at, cityHash64(author_id), sentiment_score), from_brand = 0 AND id != conversation_id) AS customer
  FROM (SELECT *, from_brand = 0 AND hasAny(intents, ['complaint', 'question']) AS is_ask FROM care_messages)
  WHERE created_at >= {since:DateTime64(3)} - INTERVAL 7 DAY
  GROUP BY brand, source, conversation_id
  HAVING asks > 0
);

-- Every conversation, for ad-hoc reading; panels and the API use the bounded one.
DROP VIEW IF EXISTS care_conversations;
CREATE VIEW IF NOT EXISTS care_conversations AS
SELECT * FROM care_conversations_since(since = '1970-01-08 00:00:00');
