-- Visits broken down by several dimensions of the session in one read of the
-- visits (the dashboard's batch asks for ten breakdowns at once): for each
-- dimension in {dimensions}, the rows sessions-by.events.sql gives for it,
-- tagged with the dimension's name. The names are those of the columns below;
-- the API asks only for these.
SELECT d.1 AS dimension, d.2 AS value, count() AS visits, uniqExact(visitor_id) AS visitors,
       round(avg(is_bounce), 4) AS bounce_rate, round(avg(duration_s), 1) AS avg_duration_s, sum(pageviews) AS pageviews
FROM
(
  -- @visits
)
ARRAY JOIN arrayFilter(x -> has({dimensions:Array(String)}, x.1), [
  ('entry_path', entry_path), ('exit_path', exit_path), ('channel', channel), ('referrer_host', referrer_host),
  ('utm_source', utm_source), ('utm_medium', utm_medium), ('utm_campaign', utm_campaign),
  ('browser', browser), ('os', os), ('device_type', device_type), ('country', country)
]) AS d
GROUP BY dimension, value
ORDER BY dimension, visits DESC, value
LIMIT {limit:UInt32} BY dimension
