-- Visits broken down by one dimension of the session (entry/exit page, channel,
-- referrer, UTM, browser, OS, device, country): the visits the overview counts
-- under the same filters. The dimension is an identifier from the API's
-- allow-list, bound as {dimension:Identifier}.
SELECT {dimension:Identifier} AS value, count() AS visits, uniqExact(visitor_id) AS visitors,
       round(avg(is_bounce), 4) AS bounce_rate, round(avg(duration_s), 1) AS avg_duration_s, sum(pageviews) AS pageviews
FROM
(
  -- @visits
)
GROUP BY value
ORDER BY visits DESC, value
LIMIT {limit:UInt32}
