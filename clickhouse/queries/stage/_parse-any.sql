-- The parse step (processor/steps/parse.ts) in the engine, for the records whose parse is plainly the same in
-- both: a log line in plain text, combined/common or nginx JSON (the stages say what plain is). Only those come
-- back, in batch order; every other record is parsed by parseHit (processor/stage/parse-staged.ts), and so are
-- lines the JavaScript would make a dead letter. Each stage is a subquery of its own, so that no expression is
-- copied into another, and each format's fields are read from its lines only. For a batch without a JSON line,
-- parse-combined-records.sql is this without the JSON branch, which costs the engine more to plan (~45 ms) than
-- 5,000 lines take to parse. Not yet the processor's path; tests/integration/stage-parse.test.ts holds it equal.
SELECT
-- @finish-columns
FROM (
-- @combined-fields
    UNION ALL
-- @json-fields
)
-- @finish-where
