SELECT path, countIf(status BETWEEN 400 AND 499) AS errors_4xx, countIf(status BETWEEN 500 AND 599) AS errors_5xx, count() AS hits
FROM bot_hits
WHERE site = {site:String} AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @hit-conditions
GROUP BY path
HAVING errors_4xx + errors_5xx > 0
ORDER BY errors_5xx DESC, errors_4xx DESC, path
LIMIT {limit:UInt32}
