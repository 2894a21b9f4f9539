-- One row per session, kept current: the processor writes a new version of a
-- session's row each time the session grows, and ReplacingMergeTree keeps the
-- highest version (read with FINAL, or argMax on version, for exact figures).
-- start_ts never changes for a session, so the sorting key is stable.
CREATE TABLE IF NOT EXISTS sessions
(
    site           LowCardinality(String),
    session_id     UUID,
    visitor_id     UInt64                 CODEC(ZSTD(1)),
    start_ts       DateTime64(3, 'UTC')   CODEC(DoubleDelta, ZSTD(1)),
    end_ts         DateTime64(3, 'UTC')   CODEC(DoubleDelta, ZSTD(1)),
    duration_s     UInt32                 CODEC(T64, ZSTD(1)),
    hits           UInt32                 CODEC(T64, ZSTD(1)),
    pageviews      UInt32                 CODEC(T64, ZSTD(1)),
    is_bounce      UInt8,
    entry_path     String                 CODEC(ZSTD(3)),
    exit_path      String                 CODEC(ZSTD(3)),
    referrer_host  LowCardinality(String),
    channel        LowCardinality(String),
    utm_source     LowCardinality(String),
    utm_medium     LowCardinality(String),
    utm_campaign   LowCardinality(String),
    browser        LowCardinality(String),
    os             LowCardinality(String),
    device_type    LowCardinality(String),
    country        LowCardinality(String),
    version        UInt64
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(start_ts)
ORDER BY (site, toDate(start_ts), session_id)
SETTINGS non_replicated_deduplication_window = 10000;
