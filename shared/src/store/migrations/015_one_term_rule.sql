-- complaint_terms_1h counts the same terms as the alerts' rising words (shared/src/text/terms.ts):
-- links and @handles dropped, a letter then two or more letters, digits, apostrophes or hyphens,
-- the same stop words. Rows already summed keep the old rule; new mentions use this one.
DROP VIEW IF EXISTS complaint_terms_1h_mv;
CREATE MATERIALIZED VIEW IF NOT EXISTS complaint_terms_1h_mv TO complaint_terms_1h AS
SELECT
  arrayJoin(if(empty(brands), [''], brands)) AS brand,
  source,
  toStartOfHour(created_at) AS hour,
  arrayJoin(arrayDistinct(arrayFilter(w -> w NOT IN ('the', 'a', 'an', 'and', 'or', 'but', 'is', 'are', 'was', 'were', 'be', 'been', 'to', 'of', 'in', 'on', 'for', 'at', 'by', 'with', 'from', 'it', 'its', 'this', 'that', 'i', 'me', 'my', 'you', 'your', 'we', 'our', 'they', 'them', 'he', 'she', 'his', 'her', 'not', 'no', 'so', 'just', 'again', 'still', 'very', 'really', 'too', 'can', 'cant', 'can\'t', 'dont', 'don\'t', 'do', 'does', 'did', 'have', 'has', 'had', 'get', 'got', 'im', 'i\'m', 'what', 'why', 'how', 'when', 'who', 'all', 'any', 'some', 'more', 'most', 'will', 'would', 'could', 'should', 'about', 'out', 'up', 'down', 'off', 'over', 'than', 'then', 'there', 'here', 'being', 'am', 'as', 'if', 'into', 'only', 'also', 'via', 'user', 'http', 'https', 'amp'), extractAll(replaceRegexpAll(lowerUTF8(text), 'https?://\\S+|@\\w+', ' '), '[\\p{L}][\\p{L}\\p{N}\'-]{2,}')))) AS term,
  count() AS mentions
FROM mentions
WHERE has(intents, 'complaint') AND from_brand = 0
GROUP BY brand, source, hour, term;
