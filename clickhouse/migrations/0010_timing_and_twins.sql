-- Unknown is not zero: `timed` says whether the hit's source carried a
-- response time (nginx's JSON format does; the combined format and beacons do
-- not), so averages and percentiles are taken over timed hits only and a site
-- without timing shows "no data" instead of 0 ms.
--
-- A pageview seen twice, in the access log and by the beacon, is counted
-- once (processor/batch/twins.ts): the copy that arrives second is kept as a
-- hit with is_pageview = 0 and twin = 1. Pageviews seen by the beacon are the
-- beacon's pageviews and twins; those seen only in logs are the rest
-- (docs/metrics.md).
ALTER TABLE events ADD COLUMN IF NOT EXISTS timed UInt8 DEFAULT 0;
ALTER TABLE events ADD COLUMN IF NOT EXISTS twin UInt8 DEFAULT 0;

ALTER TABLE traffic_minute ADD COLUMN IF NOT EXISTS beacon_pageviews UInt64 DEFAULT 0;
ALTER TABLE pages_hour ADD COLUMN IF NOT EXISTS timed_hits UInt64 DEFAULT 0;
ALTER TABLE pages_hour ADD COLUMN IF NOT EXISTS beacon_pageviews UInt64 DEFAULT 0;
ALTER TABLE pages_hour ADD COLUMN IF NOT EXISTS engaged_ms UInt64 DEFAULT 0;

-- The views are recreated with the new columns. Migrations run before any
-- processor starts (cli/open-clickhouse.ts), so no insert falls between.
DROP VIEW IF EXISTS traffic_minute_from_events;

CREATE MATERIALIZED VIEW IF NOT EXISTS traffic_minute_from_events TO traffic_minute AS
SELECT
    site,
    toStartOfMinute(ts)                                          AS minute,
    count()                                                      AS hits,
    countIf(is_pageview = 1)                                     AS pageviews,
    countIf(status BETWEEN 200 AND 299)                          AS status_2xx,
    countIf(status BETWEEN 300 AND 399)                          AS status_3xx,
    countIf(status BETWEEN 400 AND 499)                          AS status_4xx,
    countIf(status BETWEEN 500 AND 599)                          AS status_5xx,
    sum(bytes)                                                   AS bytes,
    toUInt64(0)                                                  AS bot_hits,
    countIf(source = 'beacon' AND (is_pageview = 1 OR twin = 1)) AS beacon_pageviews
FROM events
GROUP BY site, minute;

DROP VIEW IF EXISTS pages_hour_from_events;

CREATE MATERIALIZED VIEW IF NOT EXISTS pages_hour_from_events TO pages_hour AS
SELECT
    site,
    toStartOfHour(ts)                                            AS hour,
    path,
    count()                                                      AS hits,
    countIf(is_pageview = 1)                                     AS pageviews,
    countIf(status BETWEEN 400 AND 499)                          AS status_4xx,
    countIf(status BETWEEN 500 AND 599)                          AS status_5xx,
    sum(bytes)                                                   AS bytes,
    sumIf(request_time_ms, timed = 1)                            AS request_time_ms,
    countIf(timed = 1)                                           AS timed_hits,
    countIf(source = 'beacon' AND (is_pageview = 1 OR twin = 1)) AS beacon_pageviews,
    sumIf(engaged_ms, event_type = 'engagement')                 AS engaged_ms
FROM events
GROUP BY site, hour, path;
