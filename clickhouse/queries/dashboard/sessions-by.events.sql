-- Visits broken down by one dimension of the session (entry/exit page, channel,
-- referrer, UTM, browser, OS, device, country). The dimension is an
-- identifier from the API's allow-list, bound as {dimension:Identifier}.
SELECT {dimension:Identifier} AS value, count() AS visits, uniqExact(visitor_id) AS visitors,
       round(avg(is_bounce), 3) AS bounce_rate, round(avg(duration_s)) AS avg_duration_s, sum(pageviews) AS pageviews
FROM sessions FINAL
WHERE site = {site:String} AND start_ts >= {from:DateTime64(3, 'UTC')} AND start_ts < {to:DateTime64(3, 'UTC')}
  -- @session-filters
GROUP BY value
ORDER BY visits DESC, value
LIMIT {limit:UInt32}
