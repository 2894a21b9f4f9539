-- Bots by behaviour (processor/bots/behaviour.ts): a visitor found to be a bot
-- by what it did — fetched robots.txt, probed for admin pages, posted a form
-- faster than anyone types — is one for its whole day, so its earlier hits
-- leave the human figures too. Tables stay append-only:
--   * bot_visitors records the verdict; the dashboards' reads of events and
--     sessions leave its visitors out (queries/dashboard/_human.sql);
--   * the loader copies the visitor's hits already in events into bot_hits,
--     and writes rows that take them back out of the rollups
--     (queries/retract/), under the batch's deduplication token. The rollups'
--     counters stay UInt64 (changing their type would be a mutation, which
--     this project never runs): a retraction adds 2^64 - n, and UInt64
--     arithmetic, in merges and in sum(), is modulo 2^64, so it subtracts n.
CREATE TABLE IF NOT EXISTS bot_visitors
(
    site        LowCardinality(String),
    day         Date,
    visitor_id  UInt64                 CODEC(ZSTD(1)),
    flagged_ts  DateTime64(3, 'UTC')   CODEC(DoubleDelta, ZSTD(1)),
    reason      LowCardinality(String),
    detail      String                 CODEC(ZSTD(3)),
    bot_name    LowCardinality(String),
    user_agent  String                 CODEC(ZSTD(3)),
    -- Bus stream and offset of the deciding hit: a redelivered batch decides again (state/session-store.ts).
    stream      LowCardinality(String),
    bus_offset  UInt64,
    -- Deduplication token of the batch that decided: which visitors a batch's retraction moves.
    batch       String                 CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (site, day, visitor_id)
SETTINGS non_replicated_deduplication_window = 10000;

-- The evidence a held session keeps (JSON; processor/bots/behaviour.ts), so a restored session judges the same.
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS recent_hits String DEFAULT '[]' CODEC(ZSTD(1));
