-- Hit figures per point, with filters, from raw events (visits per point:
-- timeseries-visits), per period as in timeseries.rollup.sql.
SELECT
    if(ts >= {split:DateTime64(3, 'UTC')}, 'current', 'previous') AS period,
    toUnixTimestamp(toStartOfInterval(ts, toIntervalSecond({bucket:UInt32}))) AS t,
    count() AS hits, countIf(is_pageview = 1) AS pageviews,
    countIf(status BETWEEN 400 AND 499) AS errors_4xx, countIf(status BETWEEN 500 AND 599) AS errors_5xx,
    toUInt64(0) AS bot_hits
FROM events
WHERE site = {site:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @hit-filters
GROUP BY period, t
ORDER BY period, t
