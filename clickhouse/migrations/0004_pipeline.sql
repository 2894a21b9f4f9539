-- What the pipeline could not use: one row per dead letter, with its reason.
-- Raw text is stored with IP addresses masked (privacy), and kept 30 days.
CREATE TABLE IF NOT EXISTS dead_letters
(
    ts        DateTime64(3, 'UTC')  CODEC(DoubleDelta, ZSTD(1)),
    site      LowCardinality(String),
    source    LowCardinality(String),
    reason    LowCardinality(String),
    detail    String                CODEC(ZSTD(3)),
    raw       String                CODEC(ZSTD(3)),
    position  String                CODEC(ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (reason, ts)
TTL toDateTime(ts) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- Pipeline counters per minute of processing time: events loaded, hits dropped
-- (by reason: bot, opted_out…) and dead letters (by reason), for alerts and Grafana.
CREATE TABLE IF NOT EXISTS pipeline_stats
(
    minute   DateTime('UTC')  CODEC(DoubleDelta, ZSTD(1)),
    site     LowCardinality(String),
    outcome  LowCardinality(String),
    reason   LowCardinality(String),
    count    UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (minute, site, outcome, reason)
TTL minute + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 10000;
