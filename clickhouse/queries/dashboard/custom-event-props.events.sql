-- The properties of one custom event ({event:String}), by key and value.
SELECT key, value, count() AS events, uniqExact(visitor_id) AS visitors
FROM events
ARRAY JOIN mapKeys(props) AS key, mapValues(props) AS value
WHERE site = {site:String} AND event_type = 'event' AND event_name = {event:String}
  AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @hit-filters
GROUP BY key, value
ORDER BY events DESC, key, value
LIMIT {limit:UInt32}
