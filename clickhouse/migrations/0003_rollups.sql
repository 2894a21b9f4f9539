-- Rollups the dashboards read instead of raw rows. Materialized views fill
-- them at insert time; deduplicated inserts are not re-aggregated because the
-- loader sets deduplicate_blocks_in_dependent_materialized_views = 1 and each
-- target keeps its own deduplication window.

-- Counts per site and minute (SummingMergeTree adds rows with equal keys on merge;
-- always read with sum()).
CREATE TABLE IF NOT EXISTS traffic_minute
(
    site        LowCardinality(String),
    minute      DateTime('UTC')  CODEC(DoubleDelta, ZSTD(1)),
    hits        UInt64,
    pageviews   UInt64,
    status_2xx  UInt64,
    status_3xx  UInt64,
    status_4xx  UInt64,
    status_5xx  UInt64,
    bytes       UInt64,
    bot_hits    UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(minute)
ORDER BY (site, minute)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS traffic_minute_from_events TO traffic_minute AS
SELECT
    site,
    toStartOfMinute(ts)                  AS minute,
    count()                              AS hits,
    countIf(is_pageview = 1)             AS pageviews,
    countIf(status BETWEEN 200 AND 299)  AS status_2xx,
    countIf(status BETWEEN 300 AND 399)  AS status_3xx,
    countIf(status BETWEEN 400 AND 499)  AS status_4xx,
    countIf(status BETWEEN 500 AND 599)  AS status_5xx,
    sum(bytes)                           AS bytes,
    toUInt64(0)                          AS bot_hits
FROM events
GROUP BY site, minute;

CREATE MATERIALIZED VIEW IF NOT EXISTS traffic_minute_from_bots TO traffic_minute AS
SELECT
    site,
    toStartOfMinute(ts)  AS minute,
    toUInt64(0)          AS hits,
    toUInt64(0)          AS pageviews,
    toUInt64(0)          AS status_2xx,
    toUInt64(0)          AS status_3xx,
    toUInt64(0)          AS status_4xx,
    toUInt64(0)          AS status_5xx,
    toUInt64(0)          AS bytes,
    count()              AS bot_hits
FROM bot_hits
GROUP BY site, minute;

-- Counts per site, hour and path.
CREATE TABLE IF NOT EXISTS pages_hour
(
    site             LowCardinality(String),
    hour             DateTime('UTC')  CODEC(DoubleDelta, ZSTD(1)),
    path             String           CODEC(ZSTD(3)),
    hits             UInt64,
    pageviews        UInt64,
    status_4xx       UInt64,
    status_5xx       UInt64,
    bytes            UInt64,
    request_time_ms  UInt64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (site, hour, path)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS pages_hour_from_events TO pages_hour AS
SELECT
    site,
    toStartOfHour(ts)                    AS hour,
    path,
    count()                              AS hits,
    countIf(is_pageview = 1)             AS pageviews,
    countIf(status BETWEEN 400 AND 499)  AS status_4xx,
    countIf(status BETWEEN 500 AND 599)  AS status_5xx,
    sum(bytes)                           AS bytes,
    sum(request_time_ms)                 AS request_time_ms
FROM events
GROUP BY site, hour, path;

-- Distinct visitors and sessions per site and hour, as mergeable exact states:
-- uniqExactMerge over any range of hours gives the exact distinct count.
CREATE TABLE IF NOT EXISTS visitors_hour
(
    site      LowCardinality(String),
    hour      DateTime('UTC')  CODEC(DoubleDelta, ZSTD(1)),
    visitors  AggregateFunction(uniqExact, UInt64),
    sessions  AggregateFunction(uniqExact, UUID)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (site, hour)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE MATERIALIZED VIEW IF NOT EXISTS visitors_hour_from_events TO visitors_hour AS
SELECT
    site,
    toStartOfHour(ts)             AS hour,
    uniqExactState(visitor_id)    AS visitors,
    uniqExactState(session_id)    AS sessions
FROM events
GROUP BY site, hour;
