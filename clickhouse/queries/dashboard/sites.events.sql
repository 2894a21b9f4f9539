-- Sites with traffic in the range, busiest first, and the time of their
-- latest hit in it (the API gives all time when no range is asked for), in
-- milliseconds whatever the session's time zone (the API answers it in ISO 8601).
SELECT site, sum(hits) + sum(bot_hits) AS hits, toUInt64(toUnixTimestamp(max(minute))) * 1000 AS last_seen
FROM traffic_minute
WHERE minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY site
HAVING hits > 0
ORDER BY hits DESC, site
LIMIT 1000
