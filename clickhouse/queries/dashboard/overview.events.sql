-- Headline figures with filters (or for less than a day): hit figures from
-- raw events, visit figures from sessions, both selected by the same filters
-- (docs/metrics.md, "Filters"). One period per read: with a hit filter, visits
-- that started before the range count in it, so {split} is given as the epoch
-- and the row is 'current'.
SELECT period, h.hits, h.pageviews, h.errors_4xx, h.errors_5xx, toUInt64(0) AS bot_hits,
       h.beacon_pageviews, toUInt64(greatest(0, toInt64(h.pageviews) - toInt64(h.beacon_pageviews))) AS log_only_pageviews,
       v.visitors, v.visits, v.bounce_rate, v.avg_duration_s
FROM
(
    SELECT 'current' AS period, count() AS hits, countIf(is_pageview = 1) AS pageviews,
           countIf(status BETWEEN 400 AND 499) AS errors_4xx, countIf(status BETWEEN 500 AND 599) AS errors_5xx,
           countIf(source = 'beacon' AND (is_pageview = 1 OR twin = 1)) AS beacon_pageviews
    FROM events
    WHERE site = {site:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @hit-filters
) AS h
LEFT JOIN
(
  -- @visit-figures
  FROM
  (
    -- @visits
  )
  GROUP BY period
) AS v USING (period)
