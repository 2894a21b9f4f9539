-- The batch's enriched outcomes counted per site (pipeline_stats; processor/load/load-staged.ts): events, drops
-- by reason, dead letters of enrichment — with, in each dead letter's group, its record's offset, position and
-- detail (enrich.sql: a value JavaScript did not provide — a bug, never a guess), for the loader to keep with
-- their raw text (processor/stage/stage-batch.ts). One read for both: each statement costs the engine its own
-- analysis whatever its rows (docs/benchmarks.md, "The two batch programs at the live path's batch size"). The
-- parse's dead letters are counted where they are made, in JavaScript.
SELECT site, outcome, reason, count() AS n, groupArrayIf((offset, position, detail), outcome = 'dead_letter') AS letters
FROM {enriched:Identifier}
GROUP BY site, outcome, reason
ORDER BY site, outcome, reason
SETTINGS output_format_json_quote_64bit_integers = 0
