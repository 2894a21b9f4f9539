-- Hit figures per point from traffic_minute (visits per point: timeseries-visits),
-- per period: points at or after {split} are the range's, earlier ones the
-- period before it's (docs in _visit-figures.sql).
SELECT
    if(minute >= {split:DateTime64(3, 'UTC')}, 'current', 'previous') AS period,
    toUnixTimestamp(toStartOfInterval(minute, toIntervalSecond({bucket:UInt32}))) AS t,
    sum(hits) AS hits, sum(pageviews) AS pageviews,
    sum(status_4xx) AS errors_4xx, sum(status_5xx) AS errors_5xx, sum(bot_hits) AS bot_hits
FROM traffic_minute
WHERE site = {site:String} AND minute >= {from:DateTime64(3, 'UTC')} AND minute < {to:DateTime64(3, 'UTC')}
GROUP BY period, t
ORDER BY period, t
