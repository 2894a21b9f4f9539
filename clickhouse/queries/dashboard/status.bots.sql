-- Responses to bots by status class over time.
SELECT toUnixTimestamp(toStartOfInterval(ts, toIntervalSecond({bucket:UInt32}))) AS t,
       countIf(intDiv(status, 100) = 2) AS s2xx, countIf(intDiv(status, 100) = 3) AS s3xx,
       countIf(intDiv(status, 100) = 4) AS s4xx, countIf(intDiv(status, 100) = 5) AS s5xx,
       round(countIf(status >= 400) / count(), 4) AS error_rate
FROM bot_hits
WHERE site = {site:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @hit-conditions
GROUP BY t
ORDER BY t
