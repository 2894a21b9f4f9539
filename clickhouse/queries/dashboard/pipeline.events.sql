-- Pipeline health per bucket: what was loaded, dropped and dead-lettered (all sites).
SELECT toUnixTimestamp(toStartOfInterval(minute, toIntervalSecond({bucket:UInt32}))) AS t, outcome, reason, sum(count) AS n
FROM pipeline_stats
WHERE minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY t, outcome, reason
ORDER BY t, outcome, reason
