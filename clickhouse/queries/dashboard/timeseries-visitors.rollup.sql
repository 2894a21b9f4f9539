SELECT
    toUnixTimestamp(toStartOfInterval(hour, toIntervalSecond(greatest({bucket:UInt32}, 3600)))) AS t,
    uniqExactMerge(visitors) AS visitors, uniqExactMerge(sessions) AS visits
FROM visitors_hour
WHERE site = {site:String} AND hour >= toStartOfHour({from:DateTime64(3)}) AND hour < {to:DateTime64(3)}
GROUP BY t
ORDER BY t
