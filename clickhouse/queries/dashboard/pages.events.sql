SELECT path, countIf(is_pageview = 1) AS pageviews, count() AS hits,
       countIf(status BETWEEN 400 AND 499) AS errors_4xx, countIf(status BETWEEN 500 AND 599) AS errors_5xx,
       round(avg(request_time_ms)) AS avg_time_ms, uniqExact(visitor_id) AS visitors
FROM events
WHERE site = {site:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @event-filters
GROUP BY path
ORDER BY pageviews DESC, hits DESC, path
LIMIT {limit:UInt32}
