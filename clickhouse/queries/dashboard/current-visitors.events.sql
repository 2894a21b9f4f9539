-- Visitors seen in the five minutes before {now}.
SELECT uniqExact(visitor_id) AS visitors, count() AS hits
FROM events
WHERE site = {site:String} AND ts >= {now:DateTime64(3, 'UTC')} - INTERVAL 5 MINUTE AND ts <= {now:DateTime64(3, 'UTC')}
