-- Hits and errors per site in the window ending at {end} (week 0) and in the
-- same window 1..{weeks} weeks earlier (week N): the seasonal baseline is the
-- same hour of the same weekday. A minute m is in week N's window when
-- end - m - 60 s, modulo a week, is under the window (minutes start at m, so
-- the last full minute of a window starts 60 s before its end). Counters are
-- summed as UInt64 first: retracted bot hits are stored as wrapped negatives.
SELECT
    site,
    intDiv(dateDiff('second', minute, {end:DateTime('UTC')}) - 60, 604800) AS week,
    toFloat64(sum(hits))       AS hits,
    toFloat64(sum(status_4xx)) AS errors_4xx,
    toFloat64(sum(status_5xx)) AS errors_5xx
FROM traffic_minute
WHERE minute >= {end:DateTime('UTC')} - toIntervalSecond({weeks:UInt32} * 604800 + {window_seconds:UInt32})
  AND minute < {end:DateTime('UTC')}
  AND (dateDiff('second', minute, {end:DateTime('UTC')}) - 60) % 604800 < {window_seconds:UInt32}
GROUP BY site, week
ORDER BY site, week
