-- Top pages without filters, over whole hours, from pages_hour: hits, errors,
-- mean response time of the timed hits (null: the source has no timing),
-- pageviews the beacon saw, those only the access log saw, and the beacon's
-- mean engaged time per pageview (null: no beacon).
SELECT path, sum(pageviews) AS pageviews, sum(hits) AS hits, sum(status_4xx) AS errors_4xx, sum(status_5xx) AS errors_5xx,
       if(sum(timed_hits) = 0, NULL, round(sum(pages_hour.request_time_ms) / sum(timed_hits))) AS avg_time_ms,
       sum(beacon_pageviews) AS beacon_pageviews,
       toUInt64(greatest(0, toInt64(pageviews) - toInt64(beacon_pageviews))) AS log_only_pageviews,
       if(beacon_pageviews = 0, NULL, round(sum(pages_hour.engaged_ms) / beacon_pageviews / 1000, 1)) AS avg_engaged_s
FROM pages_hour
WHERE site = {site:String} AND hour >= toStartOfHour({from:DateTime64(3, 'UTC')}) AND hour < {to:DateTime64(3, 'UTC')}
GROUP BY path
ORDER BY pageviews DESC, hits DESC, path
LIMIT {limit:UInt32}
