-- Raw events: one row per human hit (access-log request or beacon event).
-- No IP address is ever stored: visitor_id is a keyed hash with a daily salt.
-- Partitioned by day so retention drops whole parts; ordered by site, then
-- time, which is how every dashboard query filters. Codecs are chosen per
-- column: DoubleDelta for the near-monotonic timestamp, T64 for small
-- integers, LowCardinality for enumerable strings, ZSTD for free text (URLs).
CREATE TABLE IF NOT EXISTS events
(
    site             LowCardinality(String),
    ts               DateTime64(3, 'UTC')     CODEC(DoubleDelta, ZSTD(1)),
    source           Enum8('log' = 1, 'beacon' = 2),
    event_type       LowCardinality(String),
    event_name       LowCardinality(String),
    is_pageview      UInt8,
    visitor_id       UInt64                   CODEC(ZSTD(1)),
    session_id       UUID                     CODEC(ZSTD(1)),
    host             LowCardinality(String),
    method           LowCardinality(String),
    path             String                   CODEC(ZSTD(3)),
    query            String                   CODEC(ZSTD(3)),
    status           UInt16                   CODEC(T64, ZSTD(1)),
    bytes            UInt64                   CODEC(T64, ZSTD(1)),
    request_time_ms  UInt32                   CODEC(T64, ZSTD(1)),
    upstream_time_ms UInt32                   CODEC(T64, ZSTD(1)),
    referrer         String                   CODEC(ZSTD(3)),
    referrer_host    LowCardinality(String),
    channel          LowCardinality(String),
    utm_source       LowCardinality(String),
    utm_medium       LowCardinality(String),
    utm_campaign     LowCardinality(String),
    utm_content      String                   CODEC(ZSTD(1)),
    utm_term         String                   CODEC(ZSTD(1)),
    browser          LowCardinality(String),
    browser_version  LowCardinality(String),
    os               LowCardinality(String),
    os_version       LowCardinality(String),
    device_type      LowCardinality(String),
    country          LowCardinality(String),
    language         LowCardinality(String),
    screen_width     UInt16                   CODEC(T64, ZSTD(1)),
    engaged_ms       UInt32                   CODEC(T64, ZSTD(1)),
    props            Map(String, String)      CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (site, ts)
-- Insert deduplication on a non-replicated table needs a window: the last N
-- insert tokens are remembered, so a replayed batch is dropped.
SETTINGS non_replicated_deduplication_window = 10000;

-- Hits from bots: dropped from the analytics, kept apart so bot traffic can
-- still be counted and inspected.
CREATE TABLE IF NOT EXISTS bot_hits
(
    site      LowCardinality(String),
    ts        DateTime64(3, 'UTC')  CODEC(DoubleDelta, ZSTD(1)),
    source    Enum8('log' = 1, 'beacon' = 2),
    path      String                CODEC(ZSTD(3)),
    status    UInt16                CODEC(T64, ZSTD(1)),
    bytes     UInt64                CODEC(T64, ZSTD(1)),
    bot_name  LowCardinality(String),
    reason    LowCardinality(String),
    user_agent String               CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (site, ts)
SETTINGS non_replicated_deduplication_window = 10000;
