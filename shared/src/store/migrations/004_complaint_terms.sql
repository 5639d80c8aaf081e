-- Words of complaint mentions per hour (event time), so "what is broken" reads from a
-- small table instead of scanning texts. Same stop-word filter as the dashboards used.
CREATE TABLE IF NOT EXISTS complaint_terms_1h (
  brand LowCardinality(String),
  source LowCardinality(String),
  hour DateTime('UTC'),
  term String,
  mentions UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (brand, hour, term, source);

CREATE MATERIALIZED VIEW IF NOT EXISTS complaint_terms_1h_mv TO complaint_terms_1h AS
SELECT
  arrayJoin(if(empty(brands), [''], brands)) AS brand,
  source,
  toStartOfHour(created_at) AS hour,
  arrayJoin(arrayDistinct(arrayFilter(w -> length(w) > 3 AND w NOT IN ('http', 'https', 'with', 'that', 'this', 'have', 'from', 'your', 'again', 'still', 'what', 'when', 'just', 'user'), splitByNonAlpha(lower(text))))) AS term,
  count() AS mentions
FROM mentions
WHERE has(intents, 'complaint')
GROUP BY brand, source, hour, term;
