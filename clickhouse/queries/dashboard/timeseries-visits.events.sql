-- Visits per point, by when they started (a visit that started before the
-- range, selected by a hit filter, counts at the first point), and their
-- distinct visitors per point. The same visits as the overview's, per period
-- as in _visit-figures.sql.
SELECT if(start_ts >= {split:DateTime64(3, 'UTC')}, 'current', 'previous') AS period,
       toUnixTimestamp(toStartOfInterval(greatest(start_ts, {from:DateTime64(3, 'UTC')}), toIntervalSecond({bucket:UInt32}))) AS t,
       count() AS visits, uniqExact(visitor_id) AS visitors
FROM
(
  -- @visits
)
GROUP BY period, t
ORDER BY period, t
