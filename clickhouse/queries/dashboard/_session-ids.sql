SELECT sid, session_id, visitor_id, pageviews, entry_path, channel, device_type, country
FROM
(
  -- @sessions
)
ARRAY JOIN arrayPushFront(merged_ids, session_id) AS sid
WHERE end_ts >= {from:DateTime64(3, 'UTC')}
