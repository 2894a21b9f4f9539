-- The daily salts move to a table partitioned by day, so a salt older than two
-- days is destroyed by dropping its partition (ALTER TABLE … DROP PARTITION,
-- a file operation) instead of a DELETE every minute: each DELETE is a
-- mutation with files of its own, and a disk that fills while one is written
-- leaves a table ClickHouse can no longer attach. The TTL is the backstop;
-- ttl_only_drop_parts makes it drop whole parts too. Anyone who can read this
-- table can test guesses of IP and user agent against visitor_id for those
-- days: give read access to it to the processor's ClickHouse user only.
--
-- Safe to run again after an interruption: the old table is recreated empty if
-- it was already dropped, and a salt copied twice is the same salt.
CREATE TABLE IF NOT EXISTS salts
(
    day         Date,
    salt        String,
    created_at  DateTime DEFAULT now()
)
ENGINE = MergeTree
ORDER BY (day, salt);

CREATE TABLE IF NOT EXISTS visitor_salts
(
    day         Date,
    salt        String,
    created_at  DateTime DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY day
ORDER BY (day, salt)
TTL day + INTERVAL 3 DAY
SETTINGS non_replicated_deduplication_window = 1000, ttl_only_drop_parts = 1;

INSERT INTO visitor_salts (day, salt, created_at)
SELECT day, salt, created_at FROM salts WHERE day >= today() - 2
SETTINGS insert_deduplicate = 0;

DROP TABLE IF EXISTS salts;
