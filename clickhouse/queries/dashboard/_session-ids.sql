SELECT sid, session_id, visitor_id, pageviews, entry_path, channel, device_type, country
FROM sessions FINAL
ARRAY JOIN arrayPushFront(merged_ids, session_id) AS sid
WHERE site = {site:String}
  AND start_ts >= {from:DateTime64(3, 'UTC')} - INTERVAL 7 DAY AND start_ts < {to:DateTime64(3, 'UTC')}
  AND end_ts >= {from:DateTime64(3, 'UTC')}
