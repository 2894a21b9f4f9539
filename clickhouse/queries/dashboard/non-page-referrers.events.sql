-- Traffic that is not a visit (docs/metrics.md): sessions without a pageview
-- (hotlinked images, feed readers, API clients), by the referrer of their
-- first hit. Session filters apply; hit filters do not.
SELECT referrer_host AS value, count() AS sessions, sum(hits) AS hits, uniqExact(visitor_id) AS visitors
FROM
(
  -- @sessions
)
WHERE pageviews = 0 AND start_ts >= {from:DateTime64(3, 'UTC')}
  -- @session-filters
GROUP BY value
ORDER BY sessions DESC, value
LIMIT {limit:UInt32}
