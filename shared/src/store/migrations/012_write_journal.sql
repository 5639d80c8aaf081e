-- Blocks of mentions the writer is inserting: 'pending' (done = 0) before the insert, done
-- after it returned (its rollups included). A block still pending when its rows turn up
-- stored was cut short, the writer having died between the table and its views: it is
-- inserted again under its token, which ClickHouse drops where it went in and keeps where
-- it did not, so the rollups end exact.
CREATE TABLE IF NOT EXISTS write_journal (
  token String,
  keys Array(Tuple(String, String)),
  done UInt8,
  at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(at)
ORDER BY token
TTL toDateTime(at) + INTERVAL 2 DAY;
