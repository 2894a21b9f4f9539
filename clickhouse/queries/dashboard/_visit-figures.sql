-- The visit figures' columns, for a FROM of visits and GROUP BY period that
-- the including query gives: visits started at or after {split} are the
-- range's ('current'), earlier ones the period before it ('previous'), so one
-- read can answer both.
SELECT if(start_ts >= {split:DateTime64(3, 'UTC')}, 'current', 'previous') AS period,
       count() AS visits, uniqExact(visitor_id) AS visitors,
       if(count() = 0, 0, round(avg(is_bounce), 4)) AS bounce_rate, if(count() = 0, 0, round(avg(duration_s), 1)) AS avg_duration_s
