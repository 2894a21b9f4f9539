-- Bot hits are counted, not stored row by row (issue 27): most lines of a
-- public site's log are bots', and one row each made bot_hits the biggest
-- table and a third of the engine's time per line. They become:
--   * bots_minute, a rollup of hits and bytes per site, minute, bot name,
--     reason, path, status and source: what every bot panel reads
--     (queries/dashboard/*.bots.sql, bots, bot-reasons, Grafana's Bots). Minutes,
--     not hours: the bot panels answer ranges shorter than a day in one-minute
--     points (dashboard/query/params.ts), as traffic_minute does. Sorted by
--     path before time: a site's bots ask for the same paths day after day,
--     and next to each other they compress to under a byte per hit (0.8 on the
--     bench's mostly-bot log against 5.4 sorted by time first); a read of a
--     range prunes by month (the partition) and by each part's minutes.
--   * bot_hit_samples, raw hits kept for drill-down (which user agents, what
--     they asked for): per site, day, bot name and reason, the latest hit of
--     each of at most 16 user-agent slots (the user agent's hash modulo 16).
--     Deterministic (ReplacingMergeTree keeps the hit with the highest ts
--     whatever the order of the inserts) and bounded whatever the traffic: a
--     bot rotating its user agent on every request still fills 16 rows a day.
--     RAW_RETENTION_DAYS applies to it as to events (clickhouse/migrate.ts).
--     By month and bot before day, so a bot's user agent, the same day after
--     day, lies next to itself: 0.11 bytes per bot line on that log, against
--     0.67 in parts of a day.
--
-- Safe to run again after an interruption at any point: the old table is
-- made again, empty, if it was already dropped; the copy runs under one
-- deduplication token, in a fixed order on one thread, so its blocks are the
-- same each time and a block copied before is dropped as a duplicate; and the
-- view that counts bot hits into traffic_minute is made only after the copy
-- (traffic_minute already counts the old rows).

CREATE TABLE IF NOT EXISTS bots_minute
(
    site      LowCardinality(String)          CODEC(ZSTD(1)),
    minute    DateTime('UTC')                 CODEC(Delta, ZSTD(1)),
    source    Enum8('log' = 1, 'beacon' = 2)  CODEC(ZSTD(1)),
    bot_name  LowCardinality(String)          CODEC(ZSTD(1)),
    reason    LowCardinality(String)          CODEC(ZSTD(1)),
    path      String                          CODEC(ZSTD(3)),
    status    UInt16                          CODEC(T64, ZSTD(1)),
    hits      UInt64                          CODEC(T64, ZSTD(1)),
    bytes     UInt64                          CODEC(T64, ZSTD(1))
)
ENGINE = SummingMergeTree((hits, bytes))
PARTITION BY toYYYYMM(minute)
ORDER BY (site, bot_name, reason, path, status, source, minute)
SETTINGS non_replicated_deduplication_window = 10000;

CREATE TABLE IF NOT EXISTS bot_hit_samples
(
    site        LowCardinality(String)          CODEC(ZSTD(1)),
    ts          DateTime64(3, 'UTC')            CODEC(Delta, ZSTD(1)),
    source      Enum8('log' = 1, 'beacon' = 2)  CODEC(ZSTD(1)),
    bot_name    LowCardinality(String)          CODEC(ZSTD(1)),
    reason      LowCardinality(String)          CODEC(ZSTD(1)),
    path        String                          CODEC(ZSTD(3)),
    status      UInt16                          CODEC(T64, ZSTD(1)),
    bytes       UInt64                          CODEC(T64, ZSTD(1)),
    user_agent  String                          CODEC(ZSTD(3))
)
ENGINE = ReplacingMergeTree(ts)
PARTITION BY toYYYYMM(ts)
ORDER BY (site, bot_name, reason, cityHash64(user_agent) % 16, toDate(ts))
SETTINGS non_replicated_deduplication_window = 10000;

-- The old table, empty, if a run interrupted after its drop comes again: the copy below then copies nothing.
CREATE TABLE IF NOT EXISTS bot_hits
(
    site LowCardinality(String), ts DateTime64(3, 'UTC'), source Enum8('log' = 1, 'beacon' = 2), path String,
    status UInt16, bytes UInt64, bot_name LowCardinality(String), reason LowCardinality(String), user_agent String
)
ENGINE = MergeTree
PARTITION BY toDate(ts)
ORDER BY (site, ts);

DROP VIEW IF EXISTS moved_hits_to_bot_hits;

DROP VIEW IF EXISTS traffic_minute_from_bots;

INSERT INTO bots_minute
SELECT site, toStartOfMinute(ts) AS minute, source, bot_name, reason, path, status, count() AS hits, sum(bytes) AS bytes
FROM bot_hits
GROUP BY site, minute, source, bot_name, reason, path, status
ORDER BY site, bot_name, reason, path, status, source, minute
SETTINGS insert_deduplication_token = 'migration-0016-bots-minute', max_threads = 1;

INSERT INTO bot_hit_samples
SELECT site, max(ts), argMax(source, ts), bot_name, reason, argMax(path, ts), argMax(status, ts), argMax(bytes, ts), user_agent
FROM bot_hits
GROUP BY site, toDate(ts) AS day, bot_name, reason, user_agent
ORDER BY site, day, bot_name, reason, user_agent
SETTINGS insert_deduplication_token = 'migration-0016-bot-hit-samples', max_threads = 1;

DROP TABLE IF EXISTS bot_hits;

-- Bot hits per minute in traffic_minute (the overview's and the timeseries' figure), as 0003's view counted them
-- from bot_hits (n: hits under another name, as the view's own hits column is 0).
CREATE MATERIALIZED VIEW IF NOT EXISTS traffic_minute_from_bots_minute TO traffic_minute AS
SELECT
    site,
    minute,
    toUInt64(0)  AS hits,
    toUInt64(0)  AS pageviews,
    toUInt64(0)  AS status_2xx,
    toUInt64(0)  AS status_3xx,
    toUInt64(0)  AS status_4xx,
    toUInt64(0)  AS status_5xx,
    toUInt64(0)  AS bytes,
    sum(n)       AS bot_hits,
    toUInt64(0)  AS beacon_pageviews
FROM (SELECT site, minute, hits AS n FROM bots_minute)
GROUP BY site, minute;

-- A bot visitor's moved hits are counted into the rollup, not copied (0012_bot_visitors.sql copied them into bot_hits).
CREATE MATERIALIZED VIEW IF NOT EXISTS moved_hits_to_bots_minute TO bots_minute AS
SELECT site, toStartOfMinute(ts) AS minute, source, bot_name, reason, path, status, count() AS hits, sum(bytes) AS bytes
FROM moved_hits
GROUP BY site, minute, source, bot_name, reason, path, status;

-- The latest moved hit of each user agent of the day (at: ts under another name, so max(ts) AS ts is not read inside argMax).
CREATE MATERIALIZED VIEW IF NOT EXISTS moved_hits_to_bot_hit_samples TO bot_hit_samples AS
SELECT site, max(at) AS ts, argMax(source, at) AS source, bot_name, reason, argMax(path, at) AS path,
       argMax(status, at) AS status, argMax(bytes, at) AS bytes, user_agent
FROM (SELECT *, ts AS at FROM moved_hits)
GROUP BY site, toDate(at), bot_name, reason, user_agent;
