-- The same rows as load-events.sql, read back (in bus order, with the position of each) when the engine refused
-- that insert as data: the loader then loads them row-isolating (clickhouse/insert-isolating.ts).
-- @events-select
ORDER BY e.offset
