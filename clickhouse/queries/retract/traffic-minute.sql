-- Takes the hits of the visitors a batch found to be bots out of
-- traffic_minute: the negative of what traffic_minute_from_events added for
-- them (migrations/0010_timing_and_twins.sql), as UInt64 modulo 2^64
-- (migrations/0012_bot_visitors.sql). tests/integration/bot-behaviour.test.ts
-- checks that the rollups equal the raw tables after a move.
INSERT INTO traffic_minute (site, minute, hits, pageviews, status_2xx, status_3xx, status_4xx, status_5xx, bytes, bot_hits, beacon_pageviews)
SELECT
    site,
    toStartOfMinute(ts)                                                     AS minute,
    toUInt64(-count())                                                      AS hits,
    toUInt64(-countIf(is_pageview = 1))                                     AS pageviews,
    toUInt64(-countIf(status BETWEEN 200 AND 299))                          AS status_2xx,
    toUInt64(-countIf(status BETWEEN 300 AND 399))                          AS status_3xx,
    toUInt64(-countIf(status BETWEEN 400 AND 499))                          AS status_4xx,
    toUInt64(-countIf(status BETWEEN 500 AND 599))                          AS status_5xx,
    toUInt64(-toInt64(sum(bytes)))                                          AS bytes,
    toUInt64(0)                                                             AS bot_hits,
    toUInt64(-countIf(source = 'beacon' AND (is_pageview = 1 OR twin = 1))) AS beacon_pageviews
    -- @moved-events
GROUP BY site, minute
