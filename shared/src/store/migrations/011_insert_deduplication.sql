-- Inserts carry a deduplication token (the hash of the block): a retried insert whose first
-- attempt did go in (a connection dropped after the server stored it, a client timeout) is
-- dropped again by ClickHouse, in the table and in every rollup its views feed, and a retry
-- after the views missed a block fills only the views. Non-replicated tables keep no
-- deduplication log unless asked; replicated ones keep one by default.
ALTER TABLE mentions MODIFY SETTING non_replicated_deduplication_window = 10000;
ALTER TABLE mention_stats_1m MODIFY SETTING non_replicated_deduplication_window = 10000;
ALTER TABLE mention_intents_1m MODIFY SETTING non_replicated_deduplication_window = 10000;
ALTER TABLE complaint_terms_1h MODIFY SETTING non_replicated_deduplication_window = 10000;
ALTER TABLE mention_stats_1h MODIFY SETTING non_replicated_deduplication_window = 10000;
ALTER TABLE mention_intents_1h MODIFY SETTING non_replicated_deduplication_window = 10000;
