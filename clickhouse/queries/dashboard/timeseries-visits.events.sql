-- Visits per point, by when they started (a visit that started before the
-- range, selected by a hit filter, counts at the first point), and their
-- distinct visitors per point. The same visits as the overview's.
SELECT toUnixTimestamp(toStartOfInterval(greatest(start_ts, {from:DateTime64(3, 'UTC')}), toIntervalSecond({bucket:UInt32}))) AS t,
       count() AS visits, uniqExact(visitor_id) AS visitors
FROM
(
  -- @visits
)
GROUP BY t
ORDER BY t
