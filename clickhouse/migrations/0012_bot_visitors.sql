-- Bots by behaviour (processor/bots/behaviour.ts): a visitor found to be a bot
-- by what it did — fetched robots.txt, probed for admin pages, posted a form
-- faster than anyone types — is one for its whole day, so its earlier hits
-- leave the human figures too. Tables stay append-only:
--   * bot_visitors records the verdict; the dashboards' reads of events and
--     sessions leave its visitors out (queries/dashboard/_human.sql);
--   * the loader reads the visitor's hits already in events once into
--     moved_hits (queries/retract/move-hits.sql, under the batch's
--     deduplication token), a Null table whose views copy them into bot_hits
--     and write rows that take them back out of the rollups. The rollups'
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

-- Hits moved out of the human figures: kept nowhere, only passed on to the views below.
CREATE TABLE IF NOT EXISTS moved_hits
(
    site            LowCardinality(String),
    ts              DateTime64(3, 'UTC'),
    source          Enum8('log' = 1, 'beacon' = 2),
    event_type      LowCardinality(String),
    path            String,
    status          UInt16,
    bytes           UInt64,
    is_pageview     UInt8,
    twin            UInt8,
    timed           UInt8,
    request_time_ms UInt32,
    engaged_ms      UInt32,
    bot_name        LowCardinality(String),
    reason          LowCardinality(String),
    user_agent      String
)
ENGINE = Null;

CREATE MATERIALIZED VIEW IF NOT EXISTS moved_hits_to_bot_hits TO bot_hits AS
SELECT site, ts, source, path, status, bytes, bot_name, reason, user_agent
FROM moved_hits;

-- The negative of what traffic_minute_from_events added (0010_timing_and_twins.sql).
CREATE MATERIALIZED VIEW IF NOT EXISTS moved_hits_out_of_traffic_minute TO traffic_minute AS
SELECT
    site,
    toStartOfMinute(ts)                                                     AS minute,
    toUInt64(-count())                                                      AS hits,
    toUInt64(-countIf(is_pageview = 1))                                     AS pageviews,
    toUInt64(-countIf(status BETWEEN 200 AND 299))                          AS status_2xx,
    toUInt64(-countIf(status BETWEEN 300 AND 399))                          AS status_3xx,
    toUInt64(-countIf(status BETWEEN 400 AND 499))                          AS status_4xx,
    toUInt64(-countIf(status BETWEEN 500 AND 599))                          AS status_5xx,
    toUInt64(-toInt64(sum(bytes)))                                          AS bytes,
    toUInt64(0)                                                             AS bot_hits,
    toUInt64(-countIf(source = 'beacon' AND (is_pageview = 1 OR twin = 1))) AS beacon_pageviews
FROM moved_hits
GROUP BY site, minute;

-- The negative of what pages_hour_from_events added (0010_timing_and_twins.sql).
CREATE MATERIALIZED VIEW IF NOT EXISTS moved_hits_out_of_pages_hour TO pages_hour AS
SELECT
    site,
    toStartOfHour(ts)                                                       AS hour,
    path,
    toUInt64(-count())                                                      AS hits,
    toUInt64(-countIf(is_pageview = 1))                                     AS pageviews,
    toUInt64(-countIf(status BETWEEN 400 AND 499))                          AS status_4xx,
    toUInt64(-countIf(status BETWEEN 500 AND 599))                          AS status_5xx,
    toUInt64(-toInt64(sum(bytes)))                                          AS bytes,
    toUInt64(-toInt64(sumIf(request_time_ms, timed = 1)))                   AS request_time_ms,
    toUInt64(-countIf(timed = 1))                                           AS timed_hits,
    toUInt64(-countIf(source = 'beacon' AND (is_pageview = 1 OR twin = 1))) AS beacon_pageviews,
    toUInt64(-toInt64(sumIf(engaged_ms, event_type = 'engagement')))        AS engaged_ms
FROM moved_hits
GROUP BY site, hour, path;
