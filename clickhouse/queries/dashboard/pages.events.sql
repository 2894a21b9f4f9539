-- Top pages with filters (or for less than a day): hits of each path, and the
-- visits (and their visitors) that requested it — what the overview shows
-- with the page filter set to that path.
SELECT path, countIf(is_pageview = 1) AS pageviews, count() AS hits,
       countIf(status BETWEEN 400 AND 499) AS errors_4xx, countIf(status BETWEEN 500 AND 599) AS errors_5xx,
       round(avg(request_time_ms)) AS avg_time_ms,
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
