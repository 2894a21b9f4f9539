-- The records the engine parses (_parse-any.sql) into the batch's table of parsed events ({parsed},
-- parsed-create.sql), by processor/stage/stage-batch.ts.
INSERT INTO {parsed:Identifier}
SELECT
-- @parsed-columns
FROM (
-- @parse-any
) AS p
INNER JOIN {stage:Identifier} AS r ON r.seq = p.seq
-- Every expression is evaluated on every row (each conversion is an -OrZero one, every date clamped, so none can
-- fail on a line that is not plain): short-circuit evaluation (the default, `enable`) runs the lazy branches of
-- if, multiIf, and, or on the filtered rows of each, copying the columns they read for every one, which made this
-- query ten times slower on 5,000 lines.
SETTINGS short_circuit_function_evaluation = 'disable'
