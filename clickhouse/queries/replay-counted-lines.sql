-- Lines the pipeline has counted for a site since a minute, whatever their
-- outcome (a row_rejected dead letter is a session or verdict, not a line):
-- `scalehouse replay` reads it before and after each batch's load to learn
-- whether the batch landed or was dropped as one loaded before.
SELECT sum(count) AS n
FROM pipeline_stats
WHERE site IN ({site:String}, '') AND minute >= {since:DateTime('UTC')}
    AND NOT (outcome = 'dead_letter' AND reason = 'row_rejected')
