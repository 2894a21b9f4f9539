-- What bots request: paths by bot hits, with the errors they cause.
-- (bots_minute.hits: the column, where `hits` alone would be the alias of its sum.)
SELECT path, toUInt64(0) AS pageviews, sum(hits) AS hits,
       sumIf(bots_minute.hits, status BETWEEN 400 AND 499) AS errors_4xx, sumIf(bots_minute.hits, status BETWEEN 500 AND 599) AS errors_5xx,
       toUInt64(0) AS avg_time_ms, uniqExact(bot_name) AS bots
FROM bots_minute
-- @bot-range
  -- @hit-conditions
GROUP BY path
ORDER BY hits DESC, path
LIMIT {limit:UInt32}
