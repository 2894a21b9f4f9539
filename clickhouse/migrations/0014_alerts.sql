-- Operations: what each process reports about itself, and the alerts raised.
--
-- pipeline_health: every minute each process (collector, processor, start)
-- writes its counters as the increase since its last report (kind 'counter':
-- read with sum() over a window) and its gauges as they stand (kind 'gauge':
-- read the latest per instance). The alert evaluator reads only ClickHouse,
-- so this is how it learns of bus lag, refusals and failed batches in
-- distributed mode, where those live in other processes.
CREATE TABLE IF NOT EXISTS pipeline_health
(
    minute    DateTime('UTC')         CODEC(DoubleDelta, ZSTD(1)),
    instance  LowCardinality(String),
    role      LowCardinality(String),
    metric    LowCardinality(String),
    reason    LowCardinality(String),
    kind      Enum8('counter' = 1, 'gauge' = 2),
    value     Float64                 CODEC(Gorilla, ZSTD(1))
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(minute)
ORDER BY (metric, minute, instance)
TTL minute + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 10000;

-- alert_events: one row each time an alert starts firing or recovers, and
-- again once a notification that failed is delivered. An alert's state is
-- its latest row (argMax by ts), so a restarted evaluator knows what is open
-- and does not notify again, and retries what no webhook took (delivered =
-- 0); the dashboard lists them.
CREATE TABLE IF NOT EXISTS alert_events
(
    ts        DateTime64(3, 'UTC')    CODEC(DoubleDelta, ZSTD(1)),
    alert_key String                  CODEC(ZSTD(1)),
    rule      LowCardinality(String),
    site      LowCardinality(String),
    subject   String                  CODEC(ZSTD(1)),
    state     Enum8('firing' = 1, 'resolved' = 2),
    value     Float64,
    expected  Float64,
    summary   String                  CODEC(ZSTD(3)),
    url       String                  CODEC(ZSTD(3)),
    delivered UInt8
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (alert_key, ts)
TTL toDateTime(ts) + INTERVAL 400 DAY
SETTINGS non_replicated_deduplication_window = 10000;
