-- Takes the hits of the visitors a batch found to be bots out of pages_hour:
-- the negative of what pages_hour_from_events added for them
-- (migrations/0010_timing_and_twins.sql), as UInt64 modulo 2^64
-- (migrations/0012_bot_visitors.sql).
INSERT INTO pages_hour (site, hour, path, hits, pageviews, status_4xx, status_5xx, bytes, request_time_ms, timed_hits, beacon_pageviews, engaged_ms)
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
    -- @moved-events
GROUP BY site, hour, path
