-- What bots request: paths by bot hits, with the errors they cause.
SELECT path, toUInt64(0) AS pageviews, count() AS hits,
       countIf(status BETWEEN 400 AND 499) AS errors_4xx, countIf(status BETWEEN 500 AND 599) AS errors_5xx,
       toUInt64(0) AS avg_time_ms, uniqExact(bot_name) AS bots
FROM bot_hits
WHERE site = {site:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @hit-conditions
GROUP BY path
ORDER BY hits DESC, path
LIMIT {limit:UInt32}
