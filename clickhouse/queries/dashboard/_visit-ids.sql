SELECT sid, session_id AS visit, visitor_id AS visit_visitor, toUInt8(1) AS is_visit
FROM sessions FINAL
ARRAY JOIN arrayPushFront(merged_ids, session_id) AS sid
WHERE site = {site:String} AND pageviews > 0
  AND start_ts >= {from:DateTime64(3, 'UTC')} - INTERVAL 7 DAY AND start_ts < {to:DateTime64(3, 'UTC')}
  AND end_ts >= {from:DateTime64(3, 'UTC')}
