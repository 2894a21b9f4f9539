-- Sites with traffic in the range, busiest first, and the time of their
-- latest hit in it (the API gives all time when no range is asked for).
SELECT site, sum(hits) + sum(bot_hits) AS hits, max(minute) AS last_seen
FROM traffic_minute
WHERE minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY site
HAVING hits > 0
ORDER BY hits DESC, site
LIMIT 1000
