SELECT toDayOfWeek(ts) AS weekday, toHour(ts) AS hour, countIf(is_pageview = 1) AS pageviews, count() AS hits
FROM events
WHERE site = {site:String} AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
  AND ({page:String} = '' OR path = {page:String})
  AND ({channel:String} = '' OR channel = {channel:String})
  AND ({device:String} = '' OR device_type = {device:String})
  AND ({country:String} = '' OR country = {country:String})
  AND ({status_class:UInt8} = 0 OR intDiv(status, 100) = {status_class:UInt8})
GROUP BY weekday, hour
ORDER BY weekday, hour
