-- The batch's enriched outcomes counted per site (pipeline_stats; processor/load/load-staged.ts): events, drops
-- by reason, dead letters of enrichment. The parse's dead letters are counted where they are made, in JavaScript.
SELECT site, outcome, reason, count() AS n
FROM {enriched:Identifier}
GROUP BY site, outcome, reason
ORDER BY site, outcome, reason
SETTINGS output_format_json_quote_64bit_integers = 0
