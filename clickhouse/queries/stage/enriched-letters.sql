-- The batch's records enrichment made dead letters (enrich.sql: a value JavaScript did not provide — a bug,
-- never a guess), for the loader to keep with their raw text (processor/stage/stage-batch.ts).
SELECT position, reason, detail
FROM {enriched:Identifier}
WHERE outcome = 'dead_letter'
ORDER BY offset
