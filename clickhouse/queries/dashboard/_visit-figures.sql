SELECT count() AS visits, uniqExact(visitor_id) AS visitors,
       if(count() = 0, 0, round(avg(is_bounce), 4)) AS bounce_rate, if(count() = 0, 0, round(avg(duration_s), 1)) AS avg_duration_s
FROM
(
  -- @visits
)
