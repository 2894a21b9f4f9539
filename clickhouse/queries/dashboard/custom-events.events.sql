-- Custom events the beacon sent (scalehouse('signup', {plan: 'pro'})), by
-- name: how many, and by how many visitors. Filters apply as to any hit.
SELECT event_name AS value, count() AS events, uniqExact(visitor_id) AS visitors
FROM events
WHERE site = {site:String} AND event_type = 'event' AND ts >= {from:DateTime64(3, 'UTC')} AND ts < {to:DateTime64(3, 'UTC')}
  -- @hit-filters
GROUP BY value
ORDER BY events DESC, value
LIMIT {limit:UInt32}
