-- Sessions are built in event time (processor/batch/sessionize.ts): a late hit
-- can move a session's start back or join two sessions, and a session's id
-- follows its start. The row written under an id the session no longer has is
-- retired by a row with the same sorting key, a higher version and
-- is_deleted = 1, which ReplacingMergeTree(version, is_deleted) drops on FINAL
-- and on merges. The new columns carry what docs/metrics.md defines visits,
-- bounce and duration by, and what the processor needs to restore a session
-- exactly (entry and exit hit, ids its events were loaded with).
--
-- The engine changes, so the table is rebuilt: copy, drop, rename. Safe to run
-- again after an interruption at any point: the old table is recreated empty
-- if it was already dropped, and a row copied twice is the same version of the
-- same key, which FINAL keeps once.
CREATE TABLE IF NOT EXISTS sessions
(
    site LowCardinality(String), session_id UUID, visitor_id UInt64, start_ts DateTime64(3, 'UTC'),
    end_ts DateTime64(3, 'UTC'), duration_s UInt32, hits UInt32, pageviews UInt32, is_bounce UInt8,
    entry_path String, exit_path String, referrer_host LowCardinality(String), channel LowCardinality(String),
    utm_source LowCardinality(String), utm_medium LowCardinality(String), utm_campaign LowCardinality(String),
    browser LowCardinality(String), os LowCardinality(String), device_type LowCardinality(String),
    country LowCardinality(String), version UInt64, stream LowCardinality(String) DEFAULT '', last_offset UInt64 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version)
PARTITION BY toYYYYMM(start_ts)
ORDER BY (site, toDate(start_ts), session_id);

CREATE TABLE IF NOT EXISTS sessions_next
(
    site           LowCardinality(String),
    session_id     UUID,
    visitor_id     UInt64                 CODEC(ZSTD(1)),
    start_ts       DateTime64(3, 'UTC')   CODEC(DoubleDelta, ZSTD(1)),
    end_ts         DateTime64(3, 'UTC')   CODEC(DoubleDelta, ZSTD(1)),
    -- Engaged time where the beacon measured it, else end − start (docs/metrics.md).
    duration_s     UInt32                 CODEC(T64, ZSTD(1)),
    hits           UInt32                 CODEC(T64, ZSTD(1)),
    pageviews      UInt32                 CODEC(T64, ZSTD(1)),
    -- Custom events (beacon `event`) and engaged time reported by the beacon.
    events         UInt32 DEFAULT 0       CODEC(T64, ZSTD(1)),
    engaged_ms     UInt32 DEFAULT 0       CODEC(T64, ZSTD(1)),
    is_bounce      UInt8,
    -- Entry: the first pageview by (time, bus offset), or the first hit of a session without one.
    entry_path     String                 CODEC(ZSTD(3)),
    entry_ts       DateTime64(3, 'UTC') DEFAULT start_ts CODEC(DoubleDelta, ZSTD(1)),
    entry_offset   UInt64 DEFAULT 0       CODEC(ZSTD(1)),
    exit_path      String                 CODEC(ZSTD(3)),
    exit_ts        DateTime64(3, 'UTC') DEFAULT end_ts CODEC(DoubleDelta, ZSTD(1)),
    exit_offset    UInt64 DEFAULT 0       CODEC(ZSTD(1)),
    referrer_host  LowCardinality(String),
    channel        LowCardinality(String),
    utm_source     LowCardinality(String),
    utm_medium     LowCardinality(String),
    utm_campaign   LowCardinality(String),
    browser        LowCardinality(String),
    os             LowCardinality(String),
    device_type    LowCardinality(String),
    country        LowCardinality(String),
    -- Earlier ids of this session that some of its events were loaded with.
    merged_ids     Array(UUID) DEFAULT [] CODEC(ZSTD(1)),
    -- Processor state: recent pageviews not yet reported by the other source (JSON; processor/batch/twins.ts).
    unpaired_pages String DEFAULT '[]'    CODEC(ZSTD(1)),
    stream         LowCardinality(String) DEFAULT '',
    last_offset    UInt64 DEFAULT 0,
    version        UInt64,
    is_deleted     UInt8 DEFAULT 0
)
ENGINE = ReplacingMergeTree(version, is_deleted)
PARTITION BY toYYYYMM(start_ts)
ORDER BY (site, toDate(start_ts), session_id)
SETTINGS non_replicated_deduplication_window = 10000;

INSERT INTO sessions_next (site, session_id, visitor_id, start_ts, end_ts, duration_s, hits, pageviews, is_bounce,
    entry_path, exit_path, referrer_host, channel, utm_source, utm_medium, utm_campaign, browser, os, device_type,
    country, version, stream, last_offset)
SELECT site, session_id, visitor_id, start_ts, end_ts, duration_s, hits, pageviews, is_bounce,
    entry_path, exit_path, referrer_host, channel, utm_source, utm_medium, utm_campaign, browser, os, device_type,
    country, version, stream, last_offset
FROM sessions FINAL
SETTINGS insert_deduplicate = 0;

DROP TABLE IF EXISTS sessions;

RENAME TABLE sessions_next TO sessions;
