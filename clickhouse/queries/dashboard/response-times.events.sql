-- Server response time percentiles (access-log hits only; beacons carry none).
SELECT toUnixTimestamp(toStartOfInterval(ts, toIntervalSecond({bucket:UInt32}))) AS t,
       quantilesExact(0.5, 0.9, 0.99)(request_time_ms) AS q, count() AS hits
FROM events
WHERE site = {site:String} AND source = 'log' AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @hit-filters
GROUP BY t
ORDER BY t
