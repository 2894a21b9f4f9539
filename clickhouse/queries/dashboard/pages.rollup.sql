-- Top pages with their errors and mean response time.
SELECT path, sum(pageviews) AS pageviews, sum(hits) AS hits, sum(status_4xx) AS errors_4xx, sum(status_5xx) AS errors_5xx,
       round(sum(pages_hour.request_time_ms) / greatest(sum(pages_hour.hits), 1)) AS avg_time_ms
FROM pages_hour
WHERE site = {site:String} AND hour >= toStartOfHour({from:DateTime64(3, 'UTC')}) AND hour < {to:DateTime64(3, 'UTC')}
GROUP BY path
ORDER BY pageviews DESC, hits DESC, path
LIMIT {limit:UInt32}
