-- Synthetic traffic for the dashboard benchmark: {rows} events of one site
-- over 30 days, ~200k visitors, 2,000 paths (Zipf-like), realistic status,
-- channel and device mixes. Rows go through the same materialized views as
-- real traffic, so the rollups fill as they would.
INSERT INTO events (site, ts, source, event_type, is_pageview, visitor_id, session_id, host, method, path, status, bytes,
                    request_time_ms, referrer_host, channel, browser, os, device_type)
SELECT
    'bench.example',
    toDateTime64({end:DateTime}, 3) - toIntervalMillisecond(intHash64(number) % (30 * 86400000)),
    'log',
    'request',
    (number % 10) < 6,
    intHash64(number % 200000) % 200000,
    reinterpretAsUUID(cityHash64(intDiv(number, 7) % 900000)),
    'bench.example',
    'GET',
    concat('/page/', toString(toUInt32(pow(intHash32(number) % 2000 + 1, 1.6)) % 2000)),
    multiIf(number % 100 < 90, 200, number % 100 < 95, 304, number % 100 < 99, 404, 500),
    1000 + intHash32(number * 3) % 50000,
    intHash32(number * 7) % 800,
    ['', 'google.com', 'news.ycombinator.com', 't.co', 'example.org'][1 + number % 5],
    ['direct', 'search', 'social', 'social', 'referral'][1 + number % 5],
    ['Chrome', 'Firefox', 'Safari', 'Mobile Safari', 'Edge'][1 + intHash32(number) % 5],
    ['Windows', 'Mac OS', 'Linux', 'iOS', 'Android'][1 + intHash32(number) % 5],
    ['desktop', 'desktop', 'mobile', 'tablet'][1 + intHash32(number) % 4]
FROM numbers({offset:UInt64}, {rows:UInt64})
