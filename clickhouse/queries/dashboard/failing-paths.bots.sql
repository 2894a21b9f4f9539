SELECT path, sumIf(bots_minute.hits, status BETWEEN 400 AND 499) AS errors_4xx, sumIf(bots_minute.hits, status BETWEEN 500 AND 599) AS errors_5xx, sum(hits) AS hits
FROM bots_minute
-- @bot-range
  -- @hit-conditions
GROUP BY path
HAVING errors_4xx + errors_5xx > 0
ORDER BY errors_5xx DESC, errors_4xx DESC, path
LIMIT {limit:UInt32}
