-- Top pages with filters (or for less than a day): hits of each path, and the
-- visits (and their visitors) that requested it — what the overview shows
-- with the page filter set to that path. Timing and beacon columns as in
-- pages.rollup.sql.
SELECT path, countIf(is_pageview = 1) AS pageviews, count() AS hits,
       countIf(status BETWEEN 400 AND 499) AS errors_4xx, countIf(status BETWEEN 500 AND 599) AS errors_5xx,
       if(countIf(timed = 1) = 0, NULL, round(avgIf(request_time_ms, timed = 1))) AS avg_time_ms,
       countIf(source = 'beacon' AND (is_pageview = 1 OR twin = 1)) AS beacon_pageviews,
       toUInt64(greatest(0, toInt64(pageviews) - toInt64(beacon_pageviews))) AS log_only_pageviews,
       if(beacon_pageviews = 0, NULL, round(sumIf(engaged_ms, event_type = 'engagement') / beacon_pageviews / 1000, 1)) AS avg_engaged_s,
       uniqExactIf(v.visit, v.is_visit = 1) AS visits, uniqExactIf(v.visit_visitor, v.is_visit = 1) AS visitors
FROM events AS e
LEFT JOIN
(
  -- @visit-ids
) AS v ON e.session_id = v.sid
WHERE e.site = {site:String} AND e.ts >= {from:DateTime64(3, 'UTC')} AND e.ts < {to:DateTime64(3, 'UTC')}
  -- @hit-filters
GROUP BY path
ORDER BY pageviews DESC, hits DESC, path
LIMIT {limit:UInt32}
