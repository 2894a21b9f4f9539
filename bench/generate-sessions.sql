-- One row per synthetic session, as the processor would write them.
INSERT INTO sessions (site, session_id, visitor_id, start_ts, end_ts, duration_s, hits, pageviews, is_bounce, entry_path, exit_path,
                      referrer_host, channel, browser, os, device_type, stream, last_offset, version)
SELECT
    'bench.example',
    reinterpretAsUUID(cityHash64(number)),
    intHash64(number % 200000) % 200000,
    toDateTime64({end:DateTime}, 3) - toIntervalMillisecond(intHash64(number) % (30 * 86400000)),
    toDateTime64({end:DateTime}, 3) - toIntervalMillisecond(intHash64(number) % (30 * 86400000)) + toIntervalSecond(number % 900),
    number % 900, 7, 4, (number % 3) = 0,
    concat('/page/', toString(number % 50)), concat('/page/', toString(number % 70)),
    ['', 'google.com', 'news.ycombinator.com', 't.co', 'example.org'][1 + number % 5],
    ['direct', 'search', 'social', 'social', 'referral'][1 + number % 5],
    ['Chrome', 'Firefox', 'Safari', 'Mobile Safari', 'Edge'][1 + intHash32(number) % 5],
    ['Windows', 'Mac OS', 'Linux', 'iOS', 'Android'][1 + intHash32(number) % 5],
    ['desktop', 'desktop', 'mobile', 'tablet'][1 + intHash32(number) % 4],
    'bench', number, 1
FROM numbers({sessions:UInt64})
