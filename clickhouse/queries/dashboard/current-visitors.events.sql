-- Visitors who viewed a page (or whose beacon reported) in the five minutes before {now}.
SELECT uniqExact(visitor_id) AS visitors
FROM events
WHERE site = {site:String} AND ts >= {now:DateTime64(3, 'UTC')} - INTERVAL 5 MINUTE AND ts <= {now:DateTime64(3, 'UTC')}
  AND (is_pageview = 1 OR source = 'beacon')
  AND visitor_id NOT IN (SELECT visitor_id FROM bot_visitors WHERE site = {site:String} AND day >= toDate({now:DateTime64(3, 'UTC')}) - 1)
