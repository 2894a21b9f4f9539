-- Sites with traffic, busiest first, and the time of their latest hit.
SELECT site, sum(hits) + sum(bot_hits) AS hits, max(minute) AS last_seen
FROM traffic_minute
GROUP BY site
ORDER BY hits DESC, site
LIMIT 1000
