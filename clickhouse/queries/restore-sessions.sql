-- Open sessions of one bus stream, as they were when the batch about to be
-- processed began: the latest live version of each session that a hit within
-- the reorder window could still reach (it ended within the timeout plus the
-- reorder window of the stream's newest hit before the batch), and every
-- session the batch may already have touched (last_offset at or past its first
-- offset), so a redelivered hit is found applied. The newest hit before the
-- batch is read from the sessions the batch did not touch, as they are now
-- (FINAL: not whatever versions merges left), never later than the true one:
-- at worst a few more sessions are restored. The start bound lets
-- ClickHouse skip old partitions.
WITH (SELECT max(end_ts) FROM sessions FINAL WHERE stream = {stream:String} AND last_offset < {from_offset:UInt64}) AS newest
SELECT
    site, toString(session_id) AS id, toString(visitor_id) AS visitor_id,
    toUnixTimestamp64Milli(start_ts) AS start, toUnixTimestamp64Milli(end_ts) AS last,
    hits, pageviews, events, engaged_ms,
    entry_path, toUnixTimestamp64Milli(entry_ts) AS entry_ts, entry_offset,
    exit_path, toUnixTimestamp64Milli(exit_ts) AS exit_ts, exit_offset,
    referrer_host, channel, utm_source, utm_medium, utm_campaign, browser, os, device_type, country,
    arrayMap(x -> toString(x), merged_ids) AS merged_ids, unpaired_pages, recent_hits, last_offset,
    toUnixTimestamp64Milli(newest) AS stream_newest
FROM sessions FINAL
WHERE stream = {stream:String}
  AND start_ts >= newest - INTERVAL 7 DAY
  AND (end_ts >= newest - toIntervalMillisecond({window_ms:UInt64}) OR last_offset >= {from_offset:UInt64})
