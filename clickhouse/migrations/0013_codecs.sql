-- Codecs measured column by column (a 1M-line log built from the shared real
-- logs, bench/build-log.ts; docs/benchmarks.md): events took 22.0 bytes per
-- row when merged, 11.6 of them the random session and visitor ids, which no
-- codec or sort order shrinks (most sessions have one or two hits). Of the
-- rest, the columns without a codec used the default LZ4; with ZSTD they take
-- a third of that, and time stamps, ordered within a part, take 40% less as
-- Delta than as DoubleDelta: 22.0 → 19.3 bytes per row.
--
-- Only the codec changes, so each statement changes metadata only, no
-- mutation: parts written from now on, and parts merged, use the new codecs.

ALTER TABLE events MODIFY COLUMN ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1));
ALTER TABLE events MODIFY COLUMN site LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN source Enum8('log' = 1, 'beacon' = 2) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN event_type LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN event_name LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN is_pageview UInt8 CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN host LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN method LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN referrer_host LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN channel LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN utm_source LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN utm_medium LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN utm_campaign LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN browser LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN browser_version LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN os LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN os_version LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN device_type LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN country LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN language LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN timed UInt8 DEFAULT 0 CODEC(ZSTD(1));
ALTER TABLE events MODIFY COLUMN twin UInt8 DEFAULT 0 CODEC(ZSTD(1));

-- Bot hits: the same, in time order too.
ALTER TABLE bot_hits MODIFY COLUMN ts DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1));
ALTER TABLE bot_hits MODIFY COLUMN site LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE bot_hits MODIFY COLUMN source Enum8('log' = 1, 'beacon' = 2) CODEC(ZSTD(1));
ALTER TABLE bot_hits MODIFY COLUMN bot_name LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE bot_hits MODIFY COLUMN reason LowCardinality(String) CODEC(ZSTD(1));

-- Sessions are ordered by id within a day, so their time stamps keep DoubleDelta.
ALTER TABLE sessions MODIFY COLUMN site LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE sessions MODIFY COLUMN session_id UUID CODEC(ZSTD(1));
ALTER TABLE sessions MODIFY COLUMN is_bounce UInt8 CODEC(ZSTD(1));
ALTER TABLE sessions MODIFY COLUMN referrer_host LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE sessions MODIFY COLUMN channel LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE sessions MODIFY COLUMN browser LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE sessions MODIFY COLUMN os LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE sessions MODIFY COLUMN device_type LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE sessions MODIFY COLUMN country LowCardinality(String) CODEC(ZSTD(1));
ALTER TABLE sessions MODIFY COLUMN last_offset UInt64 DEFAULT 0 CODEC(ZSTD(1));
ALTER TABLE sessions MODIFY COLUMN version UInt64 CODEC(ZSTD(1));
