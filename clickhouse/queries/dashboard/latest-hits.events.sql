-- The realtime view's latest hits: people's pageviews and custom events (never
-- bots', nor the assets a page loads), newest first — when, which page or
-- event, where the hit came from (its own channel and referrer host), the
-- country and the kind of device. Never an address or a visitor id. Only hits
-- after {since}: events is ordered by (site, ts), so this reads the newest parts.
SELECT toUnixTimestamp64Milli(ts) AS t, path, if(event_type = 'event', event_name, '') AS event,
       channel, referrer_host AS referrer, country, device_type AS device, browser
FROM events
WHERE site = {site:String} AND ts > {since:DateTime64(3, 'UTC')} AND ts <= {now:DateTime64(3, 'UTC')}
  AND (is_pageview = 1 OR event_type = 'event')
  -- Visitors found to be bots by what they did: their hits of that day are bots'.
  AND visitor_id NOT IN (SELECT visitor_id FROM bot_visitors WHERE site = {site:String} AND day >= toDate({since:DateTime64(3, 'UTC')}) - 1)
ORDER BY ts DESC
LIMIT {limit:UInt32}
