-- Pageviews by weekday (1 = Monday) and hour of day, UTC.
SELECT toDayOfWeek(minute) AS weekday, toHour(minute) AS hour, sum(pageviews) AS pageviews, sum(hits) AS hits
FROM traffic_minute
WHERE site = {site:String} AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY weekday, hour
ORDER BY weekday, hour
