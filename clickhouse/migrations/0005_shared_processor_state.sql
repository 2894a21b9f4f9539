-- State that processors share, so any processor can take over any partition.

-- Which bus stream (Kafka partition, or "local") a session's hits come from,
-- and the offset of the last hit applied to it: a processor that takes over
-- a stream restores its open sessions from here, and skips hits it finds
-- already applied (offset <= last_offset) when a batch is delivered again.
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS stream LowCardinality(String) DEFAULT '';
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS last_offset UInt64 DEFAULT 0;

-- The daily secret salts of the visitor hash, one per UTC day, made a day
-- ahead; each is inserted under a token naming its day, so when processors
-- race, deduplication keeps one (and readers take the smallest regardless). Salts older than two days are deleted by the
-- processors; the TTL is the backstop. Anyone who can read this table can
-- test guesses of IP and user agent against visitor_id for those days: give
-- read access to it to the processor's ClickHouse user only.
CREATE TABLE IF NOT EXISTS salts
(
    day         Date,
    salt        String,
    created_at  DateTime DEFAULT now()
)
ENGINE = MergeTree
ORDER BY (day, salt)
TTL day + INTERVAL 3 DAY
SETTINGS non_replicated_deduplication_window = 1000;
