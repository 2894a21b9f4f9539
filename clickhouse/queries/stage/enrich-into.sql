-- The enriched rows of a staged batch kept in the engine, in a staging table of their own
-- (enriched-create.sql; processor/stage/enrich-batch.ts enrichInto): the same SELECT as enrich.sql.
INSERT INTO {target:Identifier}
-- @enrich
