-- The records the engine parses (_parse-combined.sql) into the batch's table of parsed events ({parsed},
-- parsed-create.sql), by processor/stage/stage-batch.ts; for a batch without a JSON line.
INSERT INTO {parsed:Identifier}
SELECT
-- @parsed-columns
FROM (
-- @parse-combined
) AS p
INNER JOIN {stage:Identifier} AS r ON r.seq = p.seq
-- Short-circuit evaluation off, as in parse-into.sql (why: there).
SETTINGS short_circuit_function_evaluation = 'disable'
