-- The batch's records the engine's fast path did not parse (parse-into.sql), by their place in the batch: the
-- reference parser takes them (processor/stage/stage-batch.ts).
SELECT seq
FROM {stage:Identifier}
WHERE position NOT IN (SELECT position FROM {parsed:Identifier})
ORDER BY seq
