SELECT path, countIf(is_pageview = 1) AS pageviews, count() AS hits,
       countIf(status BETWEEN 400 AND 499) AS errors_4xx, countIf(status BETWEEN 500 AND 599) AS errors_5xx,
       round(avg(request_time_ms)) AS avg_time_ms, uniqExact(visitor_id) AS visitors
FROM events
WHERE site = {site:String} AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
  AND ({page:String} = '' OR path = {page:String})
  AND ({channel:String} = '' OR channel = {channel:String})
  AND ({device:String} = '' OR device_type = {device:String})
  AND ({country:String} = '' OR country = {country:String})
  AND ({status_class:UInt8} = 0 OR intDiv(status, 100) = {status_class:UInt8})
GROUP BY path
ORDER BY pageviews DESC, hits DESC, path
LIMIT {limit:UInt32}
