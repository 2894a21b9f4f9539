-- Distinct visitors per point from visitors_hour (points at least an hour
-- wide), and visits started per point from sessions.
SELECT v.t AS t, v.visitors AS visitors, s.visits AS visits
FROM
(
    SELECT toUnixTimestamp(toStartOfInterval(hour, toIntervalSecond(greatest({bucket:UInt32}, 3600)))) AS t, uniqExactMerge(visitors) AS visitors
    FROM visitors_hour
    WHERE site = {site:String} AND hour >= toStartOfHour({from:DateTime64(3, 'UTC')}) AND hour < {to:DateTime64(3, 'UTC')}
    GROUP BY t
) AS v
LEFT JOIN
(
    SELECT toUnixTimestamp(toStartOfInterval(start_ts, toIntervalSecond(greatest({bucket:UInt32}, 3600)))) AS t, count() AS visits
    FROM sessions FINAL
    WHERE site = {site:String} AND start_ts >= toStartOfHour({from:DateTime64(3, 'UTC')}) AND start_ts < {to:DateTime64(3, 'UTC')}
    GROUP BY t
) AS s ON v.t = s.t
ORDER BY t
