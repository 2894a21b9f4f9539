-- Per site over the baseline weeks before the window: the first minute seen
-- (which earlier weeks it existed in), and its hits and errors of the 7 days
-- before the window (its usual error rates).
SELECT
    site,
    toUnixTimestamp(min(minute))                                         AS first_seen,
    toFloat64(sumIf(hits, minute >= {week_from:DateTime('UTC')}))        AS hits,
    toFloat64(sumIf(status_4xx, minute >= {week_from:DateTime('UTC')}))  AS errors_4xx,
    toFloat64(sumIf(status_5xx, minute >= {week_from:DateTime('UTC')}))  AS errors_5xx
FROM traffic_minute
WHERE minute >= {from:DateTime('UTC')} AND minute < {to:DateTime('UTC')}
GROUP BY site
ORDER BY site
