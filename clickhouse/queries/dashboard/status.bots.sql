-- Responses to bots by status class over time (points of a minute or more: the rollup's minutes).
SELECT toUnixTimestamp(toStartOfInterval(minute, toIntervalSecond({bucket:UInt32}))) AS t,
       sumIf(hits, intDiv(status, 100) = 2) AS s2xx, sumIf(hits, intDiv(status, 100) = 3) AS s3xx,
       sumIf(hits, intDiv(status, 100) = 4) AS s4xx, sumIf(hits, intDiv(status, 100) = 5) AS s5xx,
       round(sumIf(hits, status >= 400) / sum(hits), 4) AS error_rate
FROM bots_minute
-- @bot-range
  -- @hit-conditions
GROUP BY t
ORDER BY t
