-- Server response time percentiles (access-log hits only; beacons carry none).
SELECT toUnixTimestamp(toStartOfInterval(ts, toIntervalSecond({bucket:UInt32}))) AS t,
       quantilesExact(0.5, 0.9, 0.99)(request_time_ms) AS q, count() AS hits
FROM events
WHERE site = {site:String} AND source = 'log' AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
  AND ({page:String} = '' OR path = {page:String})
  AND ({channel:String} = '' OR channel = {channel:String})
  AND ({device:String} = '' OR device_type = {device:String})
  AND ({country:String} = '' OR country = {country:String})
  AND ({status_class:UInt8} = 0 OR intDiv(status, 100) = {status_class:UInt8})
GROUP BY t
ORDER BY t
