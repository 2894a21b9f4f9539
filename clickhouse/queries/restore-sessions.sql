-- Open sessions of one bus stream: the latest version of each session that
-- ended within the inactivity timeout of the stream's newest hit. The start
-- bound lets ClickHouse skip old partitions (no session lasts a week).
WITH (SELECT max(end_ts) FROM sessions WHERE stream = {stream:String}) AS newest
SELECT
    site, toString(session_id) AS id, toString(visitor_id) AS visitor_id,
    toUnixTimestamp64Milli(start_ts) AS start, toUnixTimestamp64Milli(end_ts) AS last,
    hits, pageviews, entry_path, exit_path, referrer_host, channel,
    utm_source, utm_medium, utm_campaign, browser, os, device_type, country, last_offset
FROM sessions FINAL
WHERE stream = {stream:String}
  AND start_ts >= newest - INTERVAL 7 DAY
  AND end_ts >= newest - toIntervalMillisecond({timeout_ms:UInt64})
