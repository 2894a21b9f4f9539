SELECT sid
FROM
(
  -- @session-ids
)
WHERE 1
  -- @session-filters
