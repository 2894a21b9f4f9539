SELECT path, sum(status_4xx) AS errors_4xx, sum(status_5xx) AS errors_5xx, sum(hits) AS hits
FROM pages_hour
WHERE site = {site:String} AND hour >= toStartOfHour({from:DateTime64(3, 'UTC')}) AND hour < {to:DateTime64(3, 'UTC')}
GROUP BY path
HAVING errors_4xx + errors_5xx > 0
ORDER BY errors_5xx DESC, errors_4xx DESC, path
LIMIT {limit:UInt32}
