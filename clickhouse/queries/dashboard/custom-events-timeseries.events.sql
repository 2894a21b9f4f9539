-- Custom events per point and name (long format: t, value, events).
SELECT toUnixTimestamp(toStartOfInterval(ts, toIntervalSecond({bucket:UInt32}))) AS t, event_name AS value, count() AS events
FROM events
WHERE site = {site:String} AND event_type = 'event' AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @hit-filters
GROUP BY t, value
ORDER BY t, value
