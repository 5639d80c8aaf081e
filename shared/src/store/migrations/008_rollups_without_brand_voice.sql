-- The brand's own replies are not customer sentiment: the rollups that feed dashboards
-- and detectors count customers only. Views are recreated with that filter (migrations
-- run before any service writes, so no insert falls between).
DROP VIEW IF EXISTS mention_stats_1m_mv;
CREATE MATERIALIZED VIEW IF NOT EXISTS mention_stats_1m_mv TO mention_stats_1m AS
SELECT
  arrayJoin(if(empty(brands), [''], brands)) AS brand,
  source,
  toStartOfMinute(created_at) AS minute,
  sentiment_label,
  count() AS mentions,
  sum(sentiment_score) AS score_sum
FROM mentions
WHERE from_brand = 0
GROUP BY brand, source, minute, sentiment_label;

DROP VIEW IF EXISTS mention_intents_1m_mv;
CREATE MATERIALIZED VIEW IF NOT EXISTS mention_intents_1m_mv TO mention_intents_1m AS
SELECT
  arrayJoin(if(empty(brands), [''], brands)) AS brand,
  source,
  toStartOfMinute(created_at) AS minute,
  arrayJoin(intents) AS intent,
  count() AS mentions
FROM mentions
WHERE from_brand = 0
GROUP BY brand, source, minute, intent;

DROP VIEW IF EXISTS complaint_terms_1h_mv;
CREATE MATERIALIZED VIEW IF NOT EXISTS complaint_terms_1h_mv TO complaint_terms_1h AS
SELECT
  arrayJoin(if(empty(brands), [''], brands)) AS brand,
  source,
  toStartOfHour(created_at) AS hour,
  arrayJoin(arrayDistinct(arrayFilter(w -> length(w) > 3 AND w NOT IN ('http', 'https', 'with', 'that', 'this', 'have', 'from', 'your', 'again', 'still', 'what', 'when', 'just', 'user'), splitByNonAlpha(lower(text))))) AS term,
  count() AS mentions
FROM mentions
WHERE has(intents, 'complaint') AND from_brand = 0
GROUP BY brand, source, hour, term;

DROP VIEW IF EXISTS mention_stats_1h_mv;
CREATE MATERIALIZED VIEW IF NOT EXISTS mention_stats_1h_mv TO mention_stats_1h AS
SELECT
  arrayJoin(if(empty(brands), [''], brands)) AS brand,
  source,
  toStartOfHour(created_at) AS hour,
  sentiment_label,
  count() AS mentions,
  sum(sentiment_score) AS score_sum
FROM mentions
WHERE from_brand = 0
GROUP BY brand, source, hour, sentiment_label;

DROP VIEW IF EXISTS mention_intents_1h_mv;
CREATE MATERIALIZED VIEW IF NOT EXISTS mention_intents_1h_mv TO mention_intents_1h AS
SELECT
  arrayJoin(if(empty(brands), [''], brands)) AS brand,
  source,
  toStartOfHour(created_at) AS hour,
  arrayJoin(intents) AS intent,
  count() AS mentions
FROM mentions
WHERE from_brand = 0
GROUP BY brand, source, hour, intent;
