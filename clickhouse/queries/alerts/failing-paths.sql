-- Paths answering 5xx in the last hours (from {recent:DateTime}) that answered
-- none in the {days} days before: something newly broken, not a page that
-- always fails.
SELECT site, path, recent_5xx, recent_hits
FROM
(
    SELECT
        site,
        path,
        toFloat64(sumIf(status_5xx, hour >= {recent:DateTime('UTC')})) AS recent_5xx,
        toFloat64(sumIf(hits, hour >= {recent:DateTime('UTC')}))       AS recent_hits,
        toFloat64(sumIf(status_5xx, hour < {recent:DateTime('UTC')}))  AS before_5xx
    FROM pages_hour
    WHERE hour >= {recent:DateTime('UTC')} - toIntervalDay({days:UInt32}) AND hour < {end:DateTime('UTC')}
      -- Of the week before, only rows with errors matter: a big site has far more rows without.
      AND (hour >= {recent:DateTime('UTC')} OR status_5xx != 0)
    GROUP BY site, path
)
WHERE recent_5xx >= {min_errors:UInt32} AND before_5xx = 0
ORDER BY recent_5xx DESC, site, path
LIMIT 50
