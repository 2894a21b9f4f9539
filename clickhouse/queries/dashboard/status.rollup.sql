-- Responses by status class over time, and the error rate.
SELECT toUnixTimestamp(toStartOfInterval(minute, toIntervalSecond({bucket:UInt32}))) AS t,
       sum(status_2xx) AS s2xx, sum(status_3xx) AS s3xx, sum(status_4xx) AS s4xx, sum(status_5xx) AS s5xx,
       if(sum(hits) = 0, 0, round((sum(status_4xx) + sum(status_5xx)) / sum(hits), 4)) AS error_rate
FROM traffic_minute
WHERE site = {site:String} AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY t
ORDER BY t
