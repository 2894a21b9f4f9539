-- _parse-any.sql for a batch without a JSON line: its combined/common branch only (a JSON line here would
-- fall back, which is never wrong, only slower).
SELECT
-- @finish-columns
FROM (
-- @combined-fields
)
-- @finish-where
