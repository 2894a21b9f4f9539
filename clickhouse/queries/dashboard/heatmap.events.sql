SELECT toDayOfWeek(ts) AS weekday, toHour(ts) AS hour, countIf(is_pageview = 1) AS pageviews, count() AS hits
FROM events
WHERE site = {site:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @hit-filters
GROUP BY weekday, hour
ORDER BY weekday, hour
