SELECT sid, session_id AS visit, visitor_id AS visit_visitor, toUInt8(1) AS is_visit
FROM
(
  -- @session-ids
)
WHERE pageviews > 0
